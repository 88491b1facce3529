"""An independent reader of a ProgSnap2 zip for the tests: pandas reads the tables, Python's zipfile
the archive. Prints one JSON object: the metadata, the MainTable's columns and rows (as strings; the
empty cell is ""), each code state's code by id, and every entry's text (for the grep of the
pseudonymised export). Usage: python3 read_progsnap2.py FILE.zip"""
import io
import json
import sys
import zipfile

import pandas as pd

with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
    texts = {name: z.read(name).decode("utf-8") for name in names}
    read = lambda name: pd.read_csv(io.BytesIO(z.read(name)), dtype=str, keep_default_na=False)
    metadata = read("DatasetMetadata.csv")
    main = read("MainTable.csv")
    codes = read("CodeStates/CodeStates.csv")

order = pd.to_numeric(main["Order"])
server = pd.to_datetime(main["ServerTimestamp"], utc=True, format="ISO8601")
by_order = main.assign(_o=order, _s=server).sort_values("_o")
print(json.dumps({
    "entries": names,
    "metadata": dict(zip(metadata["Property"], metadata["Value"])),
    "columns": list(main.columns),
    "rows": main.to_dict(orient="records"),
    "countsByType": {k: int(v) for k, v in main["EventType"].value_counts().items()},
    "orderStrictlyIncreasing": bool(order.is_monotonic_increasing and order.is_unique),
    "serverTimestampFollowsOrder": bool(by_order["_s"].is_monotonic_increasing),
    "eventIdsUnique": bool(main["EventID"].is_unique),
    "codeStateIdsUnique": bool(codes["CodeStateID"].is_unique),
    "codeById": dict(zip(codes["CodeStateID"], codes["Code"])),
    "texts": texts,
}))
