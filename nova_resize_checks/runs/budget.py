# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Run budgets: runs and run time per owner (a review) and in all.

The :class:`~nova_resize_checks.runs.pool.Pool` asks its budget before it
starts a run and charges the run's seconds when it has finished.
"""

import threading


class Budget(object):
    """Runs and run time per owner (a review) and in all.

    ``owners``: {version key: [owner, ...]}.  A version may start a run
    while the whole budget is not spent and at least one of its owners
    has budget left; every run is charged to all its owners.  None of the
    limits stops a run already started: a run is bounded by its timeout.
    """

    def __init__(self, owners=None, owner_runs=None, owner_seconds=None,
                 total_runs=None, total_seconds=None):
        self.owners = {key: list(names) for key, names in
                       (owners or {}).items()}
        self.owner_runs, self.owner_seconds = owner_runs, owner_seconds
        self.total_runs, self.total_seconds = total_runs, total_seconds
        self.spent = {}        # owner -> [runs, seconds]
        self.total = [0, 0.0]
        self._lock = threading.Lock()

    def refuse(self, key):
        """None, or why version ``key`` may not start another run.

        None also counts the run as started, against every owner: runs in
        flight count, so the run budgets hold exactly.
        """
        with self._lock:
            reason = self._refusal(key)
            if reason is None:
                self.total[0] += 1
                for owner in self.owners.get(key, ()):
                    self.spent.setdefault(owner, [0, 0.0])[0] += 1
            return reason

    def _refusal(self, key):
        runs, seconds = self.total
        if self.total_runs is not None and runs >= self.total_runs:
            return ('over the invocation\'s budget of %d runs'
                    % self.total_runs)
        if self.total_seconds is not None and \
                seconds >= self.total_seconds:
            return ('over the invocation\'s budget of %.0fs of runs'
                    % self.total_seconds)
        owners = self.owners.get(key)
        if not owners:
            return None
        reasons = []
        for owner in owners:
            runs, seconds = self.spent.get(owner, (0, 0.0))
            if self.owner_runs is not None and runs >= self.owner_runs:
                reasons.append('over the review\'s budget of %d runs'
                               % self.owner_runs)
            elif self.owner_seconds is not None and \
                    seconds >= self.owner_seconds:
                reasons.append('over the review\'s budget of %.0fs of '
                               'runs' % self.owner_seconds)
            else:
                return None
        return reasons[0]

    def charge(self, key, seconds):
        """Add a finished run's seconds (its start was counted already)."""
        with self._lock:
            self.total[1] += seconds
            for owner in self.owners.get(key, ()):
                self.spent.setdefault(owner, [0, 0.0])[1] += seconds
