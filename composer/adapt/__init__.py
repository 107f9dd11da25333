"""Adapting fragments to a target's own database provider.

Fragments are written for one provider (the `provider` of their datasource); a target that sets
another one (`[targets.X.datasource] provider = "sqlite"`) gets each declaration rewritten so that
Prisma accepts it there, and every change reported as an info diagnostic at the fragment line
(docs/providers.md has the rules; `composer/providers.py` the facts they use):

- native types (`@db.*`) the target has are kept, faithful equivalents are mapped, others dropped
  (`native_types`);
- scalar lists, enums and `Json` where the target lacks them: an error at the field, or what the
  target's `[targets.X.adapt]` table chooses (`lists = "json"`, `enums = "string"`,
  `json = "string"`) (`storage`);
- provider-only constructs (`@@schema`, `@@fulltext`, index `type:`/`ops:`/`length:`/`clustered:`,
  primary key names, the datasource's `schemas` and `extensions`) are dropped where unsupported
  (`keys`, `target`);
- what cannot be adapted without changing its meaning (`dbgenerated("…")` SQL, `sequence()`,
  `autoincrement()` where the target forbids it (`defaults`), referential actions SQL Server
  refuses (`referential_actions`), MongoDB to or from a relational provider) stops the build with
  an error at that place.

PSL is line-oriented, so an adapted fragment is the original text with some lines edited and some
dropped (`edits`): a new `Source` whose `line_map` points every line back at the line it came
from, so composing and error mapping go on as for any fragment. Fragments that need no change (the
usual case: one regular expression over the file says so, `triggers`) are passed through untouched.

compose imports this package lazily: only a target that switches the provider pays for it.
"""

from __future__ import annotations

from .report import Adapted
from .target import adapt_target

__all__ = ["Adapted", "adapt_target"]
