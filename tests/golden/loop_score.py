#!/usr/bin/env python3
"""Golden scores for habits, computed apart from the service.

Loop Habit Tracker's published strength score, written the way Loop's own
ScoreList computes it (a rolling sum over the last M days, oldest day
first), for four check-in histories without skips:

    f = N / M,  m = 0.5 ** (sqrt(f) / 13)
    score_d = score_{d-1} * m + v_d * (1 - m)
    yes/no:   v_d = min(1, done in the last M days / N)
    at least: v_d = min(1, sum / target)
    at most:  v_d = clamp(1 - (sum - target) / target, 0, 1)

The score starts at 0 (at 1 for an at-most habit, as in Loop). Run it to
regenerate loop_scores.json; tests/tests/api/habits.rs compares the
service's scores with the file to 1e-9.
"""

import datetime
import json
import math
import os


def loop_scores(n, m_days, measure, target, values):
    """values: one number per day, oldest first (1/0 for yes/no)."""
    multiplier = 0.5 ** (math.sqrt(n / m_days) / 13.0)
    score = 1.0 if measure == "at_most" else 0.0
    rolling = 0.0
    out = []
    for i, value in enumerate(values):
        rolling += value
        if i - m_days >= 0:
            rolling -= values[i - m_days]
        if measure == "yes_no":
            v = min(1.0, rolling / n)
        elif measure == "at_least":
            v = min(1.0, rolling / target)
        else:
            v = min(1.0, max(0.0, 1.0 - (rolling - target) / target))
        score = score * multiplier + v * (1.0 - multiplier)
        out.append(score)
    return out


def history(name, habit, n, m_days, measure, target, start, values):
    first = datetime.date.fromisoformat(start)
    dates = [(first + datetime.timedelta(days=i)).isoformat() for i in range(len(values))]
    if measure == "yes_no":
        check_ins = [
            {"date": d, "status": "done" if v else "not_done"} for d, v in zip(dates, values)
        ]
    else:
        check_ins = [{"date": d, "amount": v} for d, v in zip(dates, values)]
    scores = loop_scores(n, m_days, measure, target, values)
    return {
        "name": name,
        "habit": habit,
        "check_ins": check_ins,
        "scores": [{"date": d, "score": s} for d, s in zip(dates, scores)],
    }


def main():
    daily = [0 if i % 4 == 3 or 20 <= i < 30 else 1 for i in range(60)]
    weekly = [1 if (i % 7 in (0, 2, 4) and not 35 <= i < 49) or i in (37, 44) else 0 for i in range(70)]
    glasses = [float((i * 7) % 13) for i in range(45)]
    coffees = [float((i * 5) % 4) for i in range(30)]
    histories = [
        history(
            "daily yes/no",
            {"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}},
            1, 1, "yes_no", None, "2026-01-05", daily,
        ),
        history(
            "three times a week",
            {"name": "Reach out", "kind": "yes_no",
             "frequency": {"type": "times_per_period", "times": 3, "days": 7}},
            3, 7, "yes_no", None, "2026-01-05", weekly,
        ),
        history(
            "numeric, at least 8 a day",
            {"name": "Water", "kind": "numeric", "unit": "glasses", "target": 8,
             "target_kind": "at_least", "frequency": {"type": "daily"}},
            1, 1, "at_least", 8.0, "2026-02-01", glasses,
        ),
        history(
            "numeric, at most 2 a day",
            {"name": "Coffee", "kind": "numeric", "unit": "cups", "target": 2,
             "target_kind": "at_most", "frequency": {"type": "daily"}},
            1, 1, "at_most", 2.0, "2026-02-01", coffees,
        ),
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loop_scores.json")
    with open(path, "w") as f:
        json.dump({"histories": histories}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
