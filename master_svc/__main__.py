"""`python -m master_svc [serve|migrate|seed-geo|import-csv]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from erp_common import logs, settings, workers
from master_svc.config import MasterConfig


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m master_svc")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the gRPC server (default)")
    sub.add_parser("migrate", help="apply database migrations, then exit")
    seed = sub.add_parser("seed-geo", help="load continents, ISO 3166 countries and their subdivisions (idempotent)")
    seed.add_argument("--countries", default="",
                      help="comma-separated ISO alpha-2 codes to load instead of every country (e.g. IN,FR)")
    imp = sub.add_parser("import-csv", help="create the rows of a CSV file (export.csv header), all or nothing")
    imp.add_argument("entity", help="permission entity name, e.g. country or equipment_type")
    imp.add_argument("file", type=Path)
    imp.add_argument("--actor", default="import-csv", help="recorded as created_by and in the change feed")
    args = parser.parse_args()
    config = MasterConfig.from_env()
    logs.setup(config.log_level)
    settings.report_deprecated()
    if args.command == "migrate":
        from master_svc.server import prepare
        prepare(config)
    elif args.command == "seed-geo":
        sys.exit(_seed_geo(config, args.countries))
    elif args.command == "import-csv":
        sys.exit(_import_csv(config, args.entity, args.file, args.actor))
    else:
        if config.workers > 1:
            workers.use_multiprocess_metrics()  # before anything imports prometheus_client
        from master_svc.server import serve
        sys.exit(serve(config))


def _seed_geo(config: MasterConfig, countries: str) -> int:
    from master_svc.seed_geo import seed_geo
    from master_svc.server import prepare
    only = {c.strip().upper() for c in countries.split(",") if c.strip()} or None
    try:
        counts = seed_geo(prepare(config), only)
    except ValueError as exc:
        print(f"seed-geo: {exc}", file=sys.stderr)
        return 2
    for label, result in (("continents", counts.continents), ("countries", counts.countries),
                          ("states", counts.states)):
        print(f"{label}: {len(result.ids)} rows ({result.created} created, {result.updated} updated, "
              f"{result.unchanged} unchanged)")
    return 0


def _import_csv(config: MasterConfig, entity: str, path: Path, actor: str) -> int:
    from erp_common.errors import InvalidArgument
    from master_svc.csv_import import decode, import_csv
    from master_svc.domain.entities import BY_NAME
    from master_svc.server import prepare
    spec = BY_NAME.get(entity.replace("-", "_"))
    if spec is None:
        print(f"import-csv: unknown entity {entity!r}; one of {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"import-csv: {path}: cannot read it: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        created = import_csv(prepare(config), spec, decode(raw), actor)
    except InvalidArgument as exc:
        print(f"import-csv: {path}: {exc.message}", file=sys.stderr)
        for where, problem in exc.violations:
            print(f"  {where}: {problem}", file=sys.stderr)
        return 1
    print(f"{spec.name}: {created} rows imported")
    return 0


if __name__ == "__main__":
    main()
