"""What the board repository's workflows decide, as functions over git and API data.

The workflows stay thin: they fetch a pull request's objects or an issue body as data,
call `tinytorch-board ci ...` from the base branch, and act on its JSON output. Nothing
here ever runs code from a pull request, and nothing here talks to the network.
"""
