from inserecho.cli.main import main

main()
