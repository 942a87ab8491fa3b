#!/usr/bin/env python3
"""A stage image of the epycloud stage contract, version 1 (docs/CONTRACT.md), in Python.

    python3 stage.py [--break VARIANT] <builder|runner|output>

The model is a small stochastic SIR (daily chain binomial), one task per location, read
from the experiment snapshot's `config/model.json`. Standard library only; boto3 is imported only in cloud mode
(EXECUTION_MODE=cloud), inside the S3 store.

`--break VARIANT` breaks one rule on purpose, to show that `epycloud contract check`
catches it: `no-manifest` (Stage A never writes the manifest head), `index-out-of-range`
(Stage B accepts an index >= N and exits 0), `non-atomic` (local JSON writes land in two
pieces, with a pause between them). Never use it for real runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import math
import os
import random
import re
import secrets
import signal
import sys
import threading
import time

STAGES = {"builder": "builder", "a": "builder", "runner": "runner", "b": "runner",
          "output": "output", "c": "output"}
BREAKS = ("no-manifest", "index-out-of-range", "non-atomic")
PART_SIZE = 1000
INDEX_VARS = ("TASK_INDEX", "BATCH_TASK_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX")
CONFIG_FILES = ("config/model.json",)
INTERMEDIATE = ("builder-artifacts/", "runner-artifacts/")  # tagged for expiry in S3

# --------------------------------------------------------------------------- errors, logs


class StageFailure(Exception):
    """A failure with its contract exit code (docs/CONTRACT.md, "Exit codes") and log code."""

    exit_code, code = 1, "INTERNAL"


class ValidationError(StageFailure):
    exit_code, code = 2, "VALIDATION"


class ConfigError(StageFailure):
    exit_code, code = 2, "CONFIG"


class NotFound(StageFailure):
    exit_code, code = 3, "NOT_FOUND"


class StorageError(StageFailure):
    exit_code, code = 4, "STORAGE"


class StageError(StageFailure):
    exit_code, code = 5, "STAGE"


class TransientError(StageFailure):
    exit_code, code = 6, "TRANSIENT"


LOG_CONTEXT: dict = {"stage": None, "exp_id": None, "run_id": None}


def log(message: str, level: str = "info", **fields) -> None:
    """One JSON object per line on stderr: time, level, stage, exp_id, run_id, [task_index], message."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    known = {k: v for k, v in LOG_CONTEXT.items() if v is not None}
    line = {"time": now, "level": level, **known, "message": message, **fields}
    sys.stderr.write(json.dumps(line) + "\n")
    sys.stderr.flush()


def utc_now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pad(index: int) -> str:
    return str(index).zfill(5)


# --------------------------------------------------------------------------- environment


def required(env: dict, name: str, expected: str) -> str:
    value = env.get(name, "")
    if value == "":
        raise ValidationError(f"Environment variable {name} is not set: expected {expected}")
    return value


def non_negative_int(name: str, value: str) -> int:
    if not re.fullmatch(r"\d+", value.strip()):
        raise ValidationError(f'Environment variable {name}="{value}" is not a non-negative integer')
    return int(value)


EXP_ID_RULE = ('experiment ids use only [A-Za-z0-9._/-], may not start or end with "/", contain no '
               '".." or empty segments, no segment "runs", at most 128 characters per segment and 512 in all')
RUN_ID_RULE = ('run ids use only [A-Za-z0-9._-] (no "/"), are not "." or "..", at most 64 characters, '
               "and are none of the layout's names")
LAYOUT_NAMES = {"experiment", "builder-artifacts", "runner-artifacts", "outputs", "summaries",
                "progress", "logs", "runs"}


def check_exp_id(exp_id: str) -> str:
    segments = exp_id.split("/")
    problem = (
        "it has characters outside [A-Za-z0-9._/-]" if not re.fullmatch(r"[A-Za-z0-9._/-]+", exp_id)
        else 'it has an empty, "." or ".." segment' if any(s in ("", ".", "..") for s in segments)
        else '"runs" is reserved: it separates experiment and run' if any(s.lower() == "runs" for s in segments)
        else "a segment is longer than 128 characters" if any(len(s) > 128 for s in segments)
        else f"it has {len(exp_id)} characters" if len(exp_id) > 512
        else None
    )
    if problem:
        raise ValidationError(f'Invalid experiment id "{exp_id[:60]}": {problem}; {EXP_ID_RULE}')
    return exp_id


def check_run_id(run_id: str) -> str:
    problem = (
        'it has "/", ".." or characters outside [A-Za-z0-9._-]'
        if not re.fullmatch(r"[A-Za-z0-9._-]+", run_id) or ".." in run_id or run_id == "."
        else f"it has {len(run_id)} characters" if len(run_id) > 64
        else f'"{run_id}" is a folder name of the run layout' if run_id.lower() in LAYOUT_NAMES
        else None
    )
    if problem:
        raise ValidationError(f'Invalid run id "{run_id[:60]}": {problem}; {RUN_ID_RULE}')
    return run_id


def check_dir_prefix(prefix: str) -> str:
    if prefix and (not prefix.endswith("/") or prefix.startswith("/") or ".." in prefix.split("/")):
        raise ValidationError(
            f'Invalid DIR_PREFIX "{prefix}": expected "" or a relative path ending in "/" without ".."')
    return prefix


def check_reference_date(env: dict) -> str | None:
    """REFERENCE_DATE (Stage A): a real YYYY-MM-DD that is a Saturday. This model ignores its value."""
    value = env.get("REFERENCE_DATE", "")
    if value == "":
        return None
    try:
        day = dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f'Environment variable REFERENCE_DATE="{value}" is invalid: not a real YYYY-MM-DD date')
    if day.weekday() != 5:
        before = day - dt.timedelta(days=(day.weekday() - 5) % 7)
        raise ValidationError(
            f'Environment variable REFERENCE_DATE="{value}" is invalid: it is a {day.strftime("%A")}, '
            f"not a Saturday (the Saturdays either side: {before}, {before + dt.timedelta(days=7)})")
    return value


def attempt_of(env: dict) -> int:
    for name in ("EPYCLOUD_ATTEMPT", "AWS_BATCH_JOB_ATTEMPT"):
        if env.get(name, "") != "":
            attempt = non_negative_int(name, env[name])
            if attempt < 1:
                raise ValidationError(f'Environment variable {name}="{env[name]}" is invalid: attempts count from 1')
            return attempt
    return 1


def open_store(env: dict, run: Run, breaks: str | None):
    mode = required(env, "EXECUTION_MODE", "one of local, cloud")
    if mode == "local":
        return LocalStore(env.get("LOCAL_BUCKET_DIR") or "./local/bucket", breaks)
    if mode == "cloud":
        bucket = required(env, "S3_BUCKET", "the S3 bucket name in cloud mode")
        return S3Store(bucket, env, tuple(run.key(d) for d in INTERMEDIATE))
    raise ValidationError(f'Environment variable EXECUTION_MODE="{mode}" is invalid: expected one of local, cloud')


# --------------------------------------------------------------------------- storage


class LocalStore:
    """Keys are paths under the bucket folder; every write is a temporary dot-file renamed into place."""

    def __init__(self, root: str, breaks: str | None = None):
        self.root, self.breaks = root, breaks

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *key.split("/"))

    def get(self, key: str) -> bytes:
        try:
            with open(self._path(key), "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise NotFound(f"{key} does not exist") from None
        except OSError as error:
            raise StorageError(f"cannot read {key} under {self.root}: {error}") from None

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if self.breaks == "non-atomic" and key.endswith(".json"):  # BROKEN ON PURPOSE
                with open(path, "wb") as f:
                    f.write(data[: len(data) // 2])
                    f.flush()
                    time.sleep(0.3)
                    f.write(data[len(data) // 2:])
                return
            temp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
            with open(temp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, path)
        except OSError as error:
            raise StorageError(f"cannot write {key} under {self.root}: {error}") from None

    def list(self, prefix: str) -> list[str]:
        top = self._path(prefix.rstrip("/"))
        keys = []
        for folder, dirs, files in os.walk(top):
            rel = os.path.relpath(folder, self.root).replace(os.sep, "/")
            keys += [f"{rel}/{name}" for name in files if not name.startswith(".")]
        return sorted(keys)

    def delete(self, key: str) -> None:
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass


class S3Store:
    """The run's bucket through boto3 (Debian's python3-boto3): one PUT per object, errors mapped to exit codes."""

    def __init__(self, bucket: str, env: dict, intermediate: tuple[str, ...]):
        import boto3  # only here: local mode needs nothing outside the standard library
        import botocore.config
        import botocore.exceptions

        self.bucket, self.errors, self.intermediate = bucket, botocore.exceptions, intermediate
        endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None
        config = botocore.config.Config(
            connect_timeout=10, read_timeout=60, retries={"max_attempts": 5, "mode": "standard"},
            s3={"addressing_style": "path"} if endpoint else None)
        self.s3 = boto3.client("s3", endpoint_url=endpoint, config=config,
                               region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None)

    def _failure(self, error: Exception, key: str) -> StageFailure:
        e = self.errors
        if isinstance(error, e.ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in ("NoSuchKey", "NotFound", "404"):
                return NotFound(f"{key} does not exist in s3://{self.bucket}")
            if code == "NoSuchBucket":
                return StorageError(f"bucket {self.bucket} does not exist: check S3_BUCKET and the deployment")
            if code in ("SlowDown", "Throttling", "RequestTimeout") or status in (429, 500, 502, 503, 504):
                return TransientError(f"S3 is busy or failing for {key}: {code or status}")
            return StorageError(f"S3 refused {key} in s3://{self.bucket}: {code} ({status})")
        if isinstance(error, (e.EndpointConnectionError, e.ConnectionClosedError,
                              e.ConnectTimeoutError, e.ReadTimeoutError)):
            return TransientError(f"S3 did not answer for {key}: {error}")
        return StorageError(f"S3 failed for {key} in s3://{self.bucket}: {error}")

    def get(self, key: str) -> bytes:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (self.errors.ClientError, self.errors.BotoCoreError) as error:
            raise self._failure(error, key) from None

    def put(self, key: str, data: bytes) -> None:
        extra = {"Tagging": "epycloud%3Aretention=intermediate"} if key.startswith(self.intermediate) else {}
        kind = "text/csv" if key.endswith(".csv") else "application/gzip" if key.endswith(".gz") else "application/json"
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=kind, **extra)
        except (self.errors.ClientError, self.errors.BotoCoreError) as error:
            raise self._failure(error, key) from None

    def list(self, prefix: str) -> list[str]:
        try:
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return sorted(o["Key"] for page in pages for o in page.get("Contents", []))
        except (self.errors.ClientError, self.errors.BotoCoreError) as error:
            raise self._failure(error, prefix) from None

    def delete(self, key: str) -> None:
        try:
            self.s3.delete_object(Bucket=self.bucket, Key=key)
        except (self.errors.ClientError, self.errors.BotoCoreError) as error:
            raise self._failure(error, key) from None


def get_json(store, key: str, missing: type[StageFailure] = NotFound):
    try:
        data = store.get(key)
    except NotFound as error:
        raise missing(str(error)) from None
    try:
        return json.loads(data)
    except ValueError:
        raise StageError(f"{key} is not valid JSON") from None


def put_json(store, key: str, value) -> None:
    store.put(key, json.dumps(value, indent=1).encode())


# --------------------------------------------------------------------------- the run's manifest


class Run:
    """Keys of one run: everything under {DIR_PREFIX}{EXP_ID}/runs/{RUN_ID}/."""

    def __init__(self, env: dict):
        self.exp_id = check_exp_id(required(env, "EXP_ID", "the experiment id"))
        self.run_id = check_run_id(required(env, "RUN_ID", "the run id"))
        self.prefix = f"{check_dir_prefix(env.get('DIR_PREFIX', ''))}{self.exp_id}/runs/{self.run_id}/"

    def key(self, rel: str) -> str:
        return self.prefix + rel

    def input(self, i: int) -> str:
        return self.key(f"builder-artifacts/input_{pad(i)}.json.gz")

    def part(self, k: int) -> str:
        return self.key(f"builder-artifacts/manifest-parts/part_{pad(k)}.json")

    def result(self, i: int) -> str:
        return self.key(f"runner-artifacts/result_{pad(i)}.arrow")

    def summary(self, name: str) -> str:
        return self.key(f"summaries/{name}.json")

    @property
    def manifest(self) -> str:
        return self.key("builder-artifacts/manifest.json")


def read_head(store, run: Run) -> dict:
    try:
        head = get_json(store, run.manifest)
    except NotFound:
        raise StageError(f"No manifest at {run.manifest}: Stage A (builder) has not completed for run {run.run_id}") from None
    ok = (isinstance(head, dict) and head.get("version") == 2 and head.get("expId") == run.exp_id
          and head.get("runId") == run.run_id and is_count(head.get("numTasks"))
          and is_count(head.get("partSize")) and head["partSize"] > 0 and isinstance(head.get("createdAt"), str))
    if not ok:
        raise StageError(f"Bad manifest head {run.manifest}: expected version 2 with this run's expId, runId, "
                         "numTasks, createdAt and partSize")
    return head


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_entry(store, run: Run, head: dict, i: int) -> dict:
    """Manifest entry i, from the one part holding it."""
    k = i // head["partSize"]
    part = get_json(store, run.part(k), missing=StageError)
    try:
        entry = part["inputs"][i - part["first"]]
        if part["version"] == 2 and entry["index"] == i and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]):
            return entry
    except (KeyError, IndexError, TypeError):
        pass
    raise StageError(f"Bad manifest part {run.part(k)}: no valid entry for task {i}")


def good_result(store, run: Run, i: int, input_sha: str) -> dict | None:
    """Result i's checksum record when the result is good for this input (docs/CONTRACT.md, Stage B), else None."""
    try:
        record = json.loads(store.get(run.summary(f"runner_{pad(i)}")))["result"]
        data = store.get(run.result(i))
    except (NotFound, ValueError, KeyError, TypeError):
        return None
    if not isinstance(record, dict):
        return None
    good = (record.get("key") == run.result(i) and record.get("inputSha256") == input_sha
            and record.get("sha256") == sha256(data) and record.get("bytes") == len(data))
    return record if good else None


# --------------------------------------------------------------------------- the model


def binomial(rng: random.Random, n: int, p: float) -> int:
    """An exact Binomial(n, p) draw by geometric waiting times: about n*min(p, 1-p) steps."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    log_q, successes, trials = math.log1p(-p), 0, 0
    while True:
        trials += int(math.log(1.0 - rng.random()) / log_q) + 1
        if trials > n:
            return successes
        successes += 1


def simulate(task: dict) -> list[list[int]]:
    """n_sims daily chain-binomial SIR trajectories: infected at the end of days 1..days."""
    rng = random.Random(f"{task['seed']}/{task['task_index']}")  # str seeds are hashed with sha512: stable
    n, beta, gamma = task["population"], task["beta"], task["gamma"]
    p_recover = 1.0 - math.exp(-gamma)
    runs = []
    for _ in range(task["n_sims"]):
        s, i, infected = n - task["initial_infected"], task["initial_infected"], []
        for _day in range(task["days"]):
            new_infections = binomial(rng, s, 1.0 - math.exp(-beta * i / n))
            recoveries = binomial(rng, i, p_recover)
            s, i = s - new_infections, i + new_infections - recoveries
            infected.append(i)
        runs.append(infected)
    return runs


def load_config(raw: bytes, path: str) -> dict:
    """Checks the JSON config (whole-line `#` comments dropped), naming every problem at once (exit 2)."""
    try:
        config = json.loads("\n".join(line for line in raw.decode().splitlines() if not line.lstrip().startswith("#")))
    except ValueError as error:
        raise ConfigError(f"{path} is not JSON: {error}") from None
    problems = []
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)  # noqa: E731
    if not (number(config.get("beta")) and config["beta"] >= 0):
        problems.append("beta: expected a number >= 0 (transmission rate per day)")
    if not (number(config.get("gamma")) and config["gamma"] > 0):
        problems.append("gamma: expected a number > 0 (recovery rate per day)")
    for name, low in (("days", 1), ("n_sims", 1), ("seed", 0)):
        if not (is_count(config.get(name)) and config[name] >= low):
            problems.append(f"{name}: expected an integer >= {low}")
    locations = config.get("locations")
    if not (isinstance(locations, list) and locations):
        problems.append("locations: expected a non-empty list")
        locations = []
    seen = set()
    for k, loc in enumerate(locations):
        where = f"locations[{k}]"
        if not isinstance(loc, dict):
            problems.append(f"{where}: expected an object")
            continue
        if not (isinstance(loc.get("name"), str) and loc["name"] and loc["name"] not in seen):
            problems.append(f"{where}.name: expected a unique non-empty string")
        seen.add(loc.get("name"))
        if not (is_count(loc.get("population")) and loc["population"] >= 1):
            problems.append(f"{where}.population: expected an integer >= 1")
        elif not (is_count(loc.get("initial_infected")) and loc["initial_infected"] <= loc["population"]):
            problems.append(f"{where}.initial_infected: expected an integer from 0 to the population")
    if problems:
        raise ConfigError(f"{path} has {len(problems)} problem(s): " + "; ".join(problems))
    return config


# --------------------------------------------------------------------------- Stage A


def builder(store, run: Run, env: dict, breaks: str | None) -> dict:
    reference_date = check_reference_date(env)
    snapshot = get_json(store, run.key("experiment/snapshot-manifest.json"), missing=StageError)
    listed = {f.get("path"): f for f in snapshot.get("files", []) if isinstance(f, dict)}
    path = next((p for p in CONFIG_FILES if p in listed), None)
    if path is None:
        raise ConfigError(f"The experiment snapshot has none of {', '.join(CONFIG_FILES)}")
    raw = store.get(run.key(f"experiment/{path}"))
    if sha256(raw) != listed[path].get("sha256"):
        raise StageError(f"experiment/{path} differs from the snapshot manifest: snapshot the experiment again")
    config = load_config(raw, path)

    tasks = [
        json.dumps({"version": 1, "task_index": i, "location": loc["name"], "population": loc["population"],
                    "initial_infected": loc["initial_infected"], "beta": config["beta"], "gamma": config["gamma"],
                    "days": config["days"], "n_sims": config["n_sims"], "seed": config["seed"]},
                   sort_keys=True).encode()
        for i, loc in enumerate(config["locations"])
    ]
    entries = [{"index": i, "key": run.input(i), "sha256": sha256(body)} for i, body in enumerate(tasks)]

    try:  # a rerun: the same inputs are already built (do nothing), different ones are refused
        store.get(run.manifest)
        head = read_head(store, run)
    except NotFound:
        head = None
    if head is not None:
        built = [read_entry(store, run, head, i)["sha256"] for i in range(head["numTasks"])]
        if built == [e["sha256"] for e in entries]:
            log("the run is already built with these inputs: nothing to do", num_tasks=len(entries))
            return {"numTasks": len(entries), "rebuilt": False}
        raise StageError(f"{run.manifest} exists with different inputs: start a new run id rather than rebuild")

    for i, body in enumerate(tasks):  # 1. every input, gzipped (mtime 0: a rebuild writes identical bytes)
        store.put(run.input(i), gzip.compress(body, mtime=0))
    for k in range(0, len(entries), PART_SIZE):  # 2. every part, entries in index order
        put_json(store, run.part(k // PART_SIZE), {"version": 2, "first": k, "inputs": entries[k:k + PART_SIZE]})
    if breaks == "no-manifest":  # BROKEN ON PURPOSE: the head, Stage A's "done" marker, is never written
        log("--break no-manifest: not writing the manifest head")
    else:  # 3. last, the head
        put_json(store, run.manifest, {"version": 2, "expId": run.exp_id, "runId": run.run_id,
                                       "numTasks": len(entries), "createdAt": utc_now_iso(), "partSize": PART_SIZE})
    summary = {"numTasks": len(entries), "config": path, "referenceDate": reference_date}
    put_json(store, run.summary("builder"), {"stage": "builder", "finishedAt": utc_now_iso(), **summary})
    return summary


# --------------------------------------------------------------------------- Stage B


def task_index(store, run: Run, env: dict, head: dict, breaks: str | None) -> int:
    name = next((n for n in INDEX_VARS if env.get(n, "") != ""), None)
    if name is None:
        raise ValidationError(f"No task index: set one of {', '.join(INDEX_VARS)} (checked in that order)")
    offset = non_negative_int("TASK_INDEX_OFFSET", env["TASK_INDEX_OFFSET"]) if env.get("TASK_INDEX_OFFSET") else 0
    index = non_negative_int(name, env[name]) + offset
    n = head["numTasks"]
    if index >= n and breaks != "index-out-of-range":
        shown = f"{name}={env[name]}" + (f" + TASK_INDEX_OFFSET={offset}" if offset else "")
        raise ValidationError(f"Task index {index} ({shown}) is out of range: the run has {n} task(s), "
                              f"indexes 0..{n - 1}")
    if env.get("TASK_MAP"):  # a re-execution: the index is a position in the map
        if env["TASK_MAP"].startswith("/") or ".." in env["TASK_MAP"].split("/"):
            raise ValidationError(f'TASK_MAP="{env["TASK_MAP"]}" is not a storage key (absolute, or climbs with "..")')
        task_map = get_json(store, env["TASK_MAP"], missing=StageError)
        indexes = task_map.get("indexes") if isinstance(task_map, dict) else None
        if not (isinstance(indexes, list) and all(is_count(x) for x in indexes)):
            raise StageError(f'Invalid task map {env["TASK_MAP"]}: expected {{"indexes": [...]}}')
        if index >= len(indexes):
            raise StageError(f"Position {index} is out of range of task map {env['TASK_MAP']} ({len(indexes)} task(s))")
        index = indexes[index]
        if index >= n:
            raise StageError(f"Task map {env['TASK_MAP']} names task {index}, outside 0..{n - 1}")
    return index


def runner(store, run: Run, env: dict, breaks: str | None) -> dict:
    attempt = attempt_of(env)
    head = read_head(store, run)
    index = task_index(store, run, env, head, breaks)
    LOG_CONTEXT["task_index"] = index
    if index >= head["numTasks"]:  # only under --break index-out-of-range: BROKEN ON PURPOSE
        log("--break index-out-of-range: no such task, exiting 0 as if it were done")
        return {"taskIndex": index}
    entry = read_entry(store, run, head, index)
    done = good_result(store, run, index, entry["sha256"])
    if done is not None:
        log("result already good for this input: kept", result=done["key"])
        return {"taskIndex": index, "kept": True}

    started = utc_now_iso()
    try:
        body = gzip.decompress(store.get(entry["key"]))
    except (OSError, EOFError):
        raise StageError(f"{entry['key']} is not gzip") from None
    if sha256(body) != entry["sha256"]:
        raise StageError(f"{entry['key']} does not match its manifest sha256: rebuild the run")
    task = json.loads(body)
    log("simulating", location=task["location"], n_sims=task["n_sims"], days=task["days"])
    result = json.dumps({"version": 1, "task_index": index, "location": task["location"],
                         "inputSha256": entry["sha256"], "days": task["days"],
                         "infected": simulate(task)}, separators=(",", ":")).encode()
    store.put(run.result(index), result)  # 1. the result (JSON bytes under the contract's .arrow name)
    record = {"key": run.result(index), "inputSha256": entry["sha256"], "sha256": sha256(result),
              "bytes": len(result)}
    put_json(store, run.summary(f"runner_{pad(index)}"),  # 2. after it, its checksum record
             {"stage": "runner", "taskIndex": index, "attempt": attempt, "startedAt": started,
              "finishedAt": utc_now_iso(), "result": record})
    return {"taskIndex": index, "location": task["location"], "bytes": len(result)}


# --------------------------------------------------------------------------- Stage C


def quantile(ordered: list[float], q: float) -> float:
    """Type-7 quantile (linear between order statistics) of sorted values."""
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def output(store, run: Run, env: dict, breaks: str | None) -> dict:
    head = read_head(store, run)
    n = head["numTasks"]
    if env.get("NUM_TASKS", "") != "" and non_negative_int("NUM_TASKS", env["NUM_TASKS"]) != n:
        raise ValidationError(f"NUM_TASKS={env['NUM_TASKS']} differs from the manifest's numTasks {n}")
    allow_partial = env.get("ALLOW_PARTIAL_RESULTS", "").lower() in ("true", "1")

    results, missing = [], []
    for i in range(n):
        entry = read_entry(store, run, head, i)
        record = good_result(store, run, i, entry["sha256"])
        if record is None:
            missing.append(i)
            continue
        results.append(json.loads(store.get(record["key"])))
    if missing and not allow_partial:
        raise StageError(f"{len(missing)} result(s) missing or not good (tasks {missing[:20]}): rerun Stage B "
                         f"for them (epycloud run workflow --local --exp-id {run.exp_id} --resume {run.run_id}), "
                         "or set ALLOW_PARTIAL_RESULTS")
    if not results:
        raise StageError("No good result to aggregate")

    outputs = run.key("outputs/")
    keys = store.list(outputs)
    stamps = {k[len(outputs):].split("/")[0] for k in keys if "/" in k[len(outputs):]}
    finished = {k[len(outputs):].split("/")[0] for k in keys if k.endswith("/index.json")}
    for k in keys:  # remove the unfinished folders an interrupted Stage C left
        if k[len(outputs):].split("/")[0] not in finished:
            store.delete(k)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    while stamp in stamps:  # a new folder beside the finished ones, even within the same second
        time.sleep(0.2)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")

    text = io.StringIO()
    table = csv.writer(text, lineterminator="\n")
    table.writerow(["location", "day", "q05", "median", "q95"])
    rows = 0
    for result in sorted(results, key=lambda r: r["task_index"]):
        for day in range(result["days"]):
            values = sorted(sim[day] for sim in result["infected"])
            table.writerow([result["location"], day + 1, *(f"{quantile(values, q):.2f}" for q in (0.05, 0.5, 0.95))])
            rows += 1
    folder = f"{outputs}{stamp}/"
    store.put(folder + "quantiles.csv", text.getvalue().encode())  # every file first,
    summary = {"version": 1, "createdAt": utc_now_iso(), "numTasks": n, "resultsUsed": len(results),
               "missing": missing, "partial": bool(missing), "files": [{"name": "quantiles.csv", "rows": rows}]}
    put_json(store, folder + "index.json", summary)  # then index.json, last
    put_json(store, run.summary("output"), {"stage": "output", "folder": folder, **summary})
    return {"folder": folder, "rows": rows, "missing": len(missing)}


# --------------------------------------------------------------------------- main


def watch_lifeline() -> None:
    """EPYCLOUD_LIFELINE=stdin: end as soon as stdin closes (the launcher is gone)."""
    def wait() -> None:
        # the raw descriptor: a buffered reader's lock, held by this thread, would fail the
        # interpreter's shutdown (exit 134) when the stage ends with stdin still open
        while os.read(0, 65536):
            pass
        log("stdin closed: the launcher is gone, ending", level="error", code="LIFELINE")
        os._exit(143)

    threading.Thread(target=wait, daemon=True).start()


def on_sigterm(*_) -> None:
    log("SIGTERM: ending", level="error", code="SIGTERM")
    os._exit(143)


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    started = time.monotonic()
    args, breaks = list(argv), None
    try:
        if args[:1] == ["--break"]:
            if len(args) < 2 or args[1] not in BREAKS:
                raise ValidationError(f"--break takes one of {', '.join(BREAKS)}")
            breaks, args = args[1], args[2:]
        if len(args) != 1 or args[0].lower() not in STAGES:
            raise ValidationError("usage: stage.py [--break VARIANT] <builder|runner|output> (or A, B, C)")
        stage = STAGES[args[0].lower()]
        LOG_CONTEXT["stage"] = stage
        if env.get("EPYCLOUD_LIFELINE") == "stdin":
            watch_lifeline()
        signal.signal(signal.SIGTERM, on_sigterm)
        run = Run(env)
        LOG_CONTEXT.update(exp_id=run.exp_id, run_id=run.run_id)
        store = open_store(env, run, breaks)
        summary = {"builder": builder, "runner": runner, "output": output}[stage](store, run, env, breaks)
        log("stage completed", duration_ms=round((time.monotonic() - started) * 1000), summary=summary)
        return 0
    except StageFailure as error:
        log(str(error), level="error", code=error.code, exit_code=error.exit_code)
        return error.exit_code
    except Exception as error:  # a bug
        log(f"{type(error).__name__}: {error}", level="error", code="INTERNAL", exit_code=1)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
