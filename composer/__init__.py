"""prisma-compose: build complete Prisma schema files from fragment files."""

# The one place the version is written: pyproject.toml reads it (dynamic version), `compose
# --version` prints it, and the pre-commit `rev:` in the docs is its git tag, `v` + this.
__version__ = "0.2.0"
