from inserecho.cli import main

main()
