"""Entry points for backend systems and people: the Python API (`client`), the CLI (`cli`) and
the local system (`local`)."""
