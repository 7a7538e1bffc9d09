"""The `dvht` command line: the parser (`cli.main`), one module per command group
(`cli.commands`), what they share (`cli.common`) and their strings (`cli.text`)."""
