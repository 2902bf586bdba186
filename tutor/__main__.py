"""`python -m tutor` runs the same CLI as the `tutor` script."""

from tutor.cli import main

main()
