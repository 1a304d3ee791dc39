"""``python -m flagcore`` runs the CLI."""

from flagcore.app.cli import main

main()
