"""``python -m directory``: see ``directory/cli.py`` and ``docs/cli.md``."""

from directory.cli import main

raise SystemExit(main())
