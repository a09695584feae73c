from .console import main

main(end_process=False)
