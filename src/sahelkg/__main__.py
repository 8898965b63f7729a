"""``python -m sahelkg`` runs the command line."""

from sahelkg.cli import main

main()
