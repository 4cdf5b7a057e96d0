"""The Telegram-free core: knowledge, matching, dialogue and advice as plain values in, plain values out."""
