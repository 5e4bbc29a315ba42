from reviewlint.cli import main

main()
