"""One module per CLI command: ``HELP``, ``add_arguments(parser)``, ``run(args, project, out,
err) -> int``. The CLI finds them here, so adding a command touches no other file."""
