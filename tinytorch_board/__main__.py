from tinytorch_board.cli import main

main()
