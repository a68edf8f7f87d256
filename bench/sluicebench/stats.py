"""Samples per (figure, target, repetition) and their summaries."""
import statistics
from collections import defaultdict


class Samples:
    def __init__(self):
        # figure -> target -> list of one value per repetition
        self.values = defaultdict(lambda: defaultdict(list))

    def add(self, figure, target, value):
        if value is not None:
            self.values[figure][target].append(value)

    def get(self, figure, target):
        return self.values.get(figure, {}).get(target, [])

    def median(self, figure, target):
        v = self.get(figure, target)
        return statistics.median(v) if v else None

    def summary(self):
        out = {}
        for figure, per_target in self.values.items():
            out[figure] = {}
            for target, v in per_target.items():
                if not v:
                    continue
                if all(isinstance(x, bool) for x in v):
                    out[figure][target] = {"all": all(v), "samples": v}
                else:
                    out[figure][target] = {"median": statistics.median(v), "min": min(v), "max": max(v),
                                           "samples": v}
        return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None
