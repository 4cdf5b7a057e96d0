"""The test suite: logic on small fixture knowledge (tests/kbfactory.py), a few smoke tests of the shipped knowledge."""
