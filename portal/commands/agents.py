import click


@click.command("create-agent")
def create_agent() -> None:
    """(being written)"""
