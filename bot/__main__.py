"""`python -m bot` runs the `advisor` command."""

from bot.cli import main

raise SystemExit(main())
