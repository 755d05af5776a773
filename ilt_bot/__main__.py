from ilt_bot.cli import main

main()
