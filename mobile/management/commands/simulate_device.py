"""Play a patient's phone against a running server, through the HTTP API only.

    manage.py simulate_device --base-url http://127.0.0.1:8000 --username p001 --password ... \
        --days 14 --seed 7 --gap-probability 0.1 --retry 0.2

Sends a realistic batch of passive signals per day (sleep, steps, mobility, speech,
screen), with missing days and sensors. `--retry P` makes the "network" lose the server's
answer to a batch with probability P, so the phone resends the same records with the same
ids: the server must count them as duplicates and store nothing twice. Real transient
failures (no connection, 429, 5xx) are retried with backoff too."""

import json
import random
import time
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mobile.device_client import ApiRefused, DeviceClient, TransientError
from mobile.device_simulation import PROFILES, simulate


def _probability(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError
    return number


class Command(BaseCommand):
    help = "Simulate a patient's phone sending passive-signal batches to a running server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", required=True, help="The server, e.g. http://127.0.0.1:8000")
        parser.add_argument("--username", help="The patient's username (with --password)")
        parser.add_argument("--password")
        parser.add_argument("--token", help="An access JWT instead of username/password")
        parser.add_argument("--days", type=int, default=14, help="How many local days, ending today (default 14)")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same records and ids (default 1)")
        parser.add_argument(
            "--gap-probability", type=_probability, default=0.1, help="Chance a day (or, halved, a sensor) is missing"
        )
        parser.add_argument(
            "--retry", type=_probability, default=0.0, help="Chance the answer to a batch is lost and it is resent"
        )
        parser.add_argument("--profile", choices=PROFILES, default="stable", help="Drift of the last three weeks")
        parser.add_argument("--batch-size", type=int, default=500, help="Records per request, at most 1000")
        parser.add_argument("--max-attempts", type=int, default=6, help="Tries per batch on real transient errors")
        parser.add_argument("--timezone", help="The patient's IANA time zone (default: from /me/schedule/)")
        parser.add_argument("--json", action="store_true", help="Print the summary as one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["token"] and not (options["username"] and options["password"]):
            raise CommandError("Give --token, or --username and --password.")
        if not 1 <= options["batch_size"] <= 1000:
            raise CommandError("--batch-size must be between 1 and 1000.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        try:
            client = DeviceClient(
                base_url=options["base_url"],
                username=options["username"],
                password=options["password"],
                access=options["token"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            me = client.me()
            if me.get("role") != "patient":
                raise CommandError(f"{me.get('username')} is not a patient account.")
            schedule = client.schedule()
            tz = self._timezone(options["timezone"] or (schedule or {}).get("timezone") or "UTC")
            enrolled_on = date.fromisoformat(schedule["enrolled_on"]) if schedule else None
        except (TransientError, ApiRefused) as exc:
            raise CommandError(f"Cannot reach the API as this patient: {exc}") from exc

        days = simulate(
            tz=tz,
            now=datetime.now(UTC),
            days=options["days"],
            seed=options["seed"],
            gap_probability=options["gap_probability"],
            profile=options["profile"],
            not_before=enrolled_on,
        )
        loss = random.Random(options["seed"] * 7919 + 1)  # noqa: S311  # nosec B311
        stats: dict[str, Any] = {
            "patient_id": me.get("patient_id"),
            "days_simulated": options["days"],
            "days_sent": len(days),
            "records": 0,
            "batches": 0,
            "requests": 0,
            "accepted": 0,
            "duplicates": 0,
            "rejected": 0,
            "lost_answers_resent": 0,
            "transient_retries": 0,
            "failed_batches": 0,
            "rejections": [],
        }
        for _day, records in days:
            for i in range(0, len(records), options["batch_size"]):
                batch = records[i : i + options["batch_size"]]
                stats["batches"] += 1
                stats["records"] += len(batch)
                self._send(client, batch, stats, loss, options)
        stats["requests"] = client.requests_made
        stats["rejections"] = stats["rejections"][:10]
        if options["json"]:
            self.stdout.write(json.dumps(stats))
        else:
            self.stdout.write(
                "{days_sent}/{days_simulated} days, {records} records in {batches} batches: {accepted} accepted, "
                "{duplicates} duplicates, {rejected} rejected; {lost_answers_resent} lost answers resent, "
                "{transient_retries} transient retries, {failed_batches} batches given up.".format(**stats)
            )
            for rejection in stats["rejections"]:
                self.stdout.write(f"  rejected: {rejection}")

    def _timezone(self, name: str) -> ZoneInfo:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"Unknown time zone: {name}") from exc

    def _send(self, client: DeviceClient, batch: list[dict], stats: dict, loss: Any, options: dict) -> None:
        lost_once = False
        for attempt in range(1, options["max_attempts"] + 1):
            try:
                result = client.post_batch(batch)
            except TransientError:
                stats["transient_retries"] += 1
                time.sleep(min(8.0, 0.25 * 2**attempt))
                continue
            except ApiRefused as exc:
                raise CommandError(f"The server refused a batch: {exc}") from exc
            if not lost_once and loss.random() < options["retry"]:
                # The server stored the batch but its answer "never arrived": send it again.
                lost_once = True
                stats["lost_answers_resent"] += 1
                continue
            stats["accepted"] += result["accepted"]
            stats["duplicates"] += result["duplicates"]
            stats["rejected"] += len(result["rejected"])
            stats["rejections"].extend(result["rejected"][:3])
            return
        stats["failed_batches"] += 1
