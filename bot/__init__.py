"""逾期协商助手: an advisor for people whose Alipay loans (花呗, 借呗) are overdue."""
