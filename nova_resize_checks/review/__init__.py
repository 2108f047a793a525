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


"""Review meta-check, one folder per stage; data flows one way.

``read/`` (the bytes of a review: container blocks, the final answer,
sentences, diffs) -> ``versions/`` (which version of the test it read;
the three-way port of its changes onto ours) -> ``claims/`` (what it asks
for, as typed changes; findings that need no run) -> ``edits/`` (the
changes made with libcst) -> ``gate/`` (the static gate: its policy as
data; the scanner, its call rules and module checks) -> runs
(:mod:`nova_resize_checks.runs`, confined) -> ``verdict`` (all six
verdicts) -> ``report``.  ``prepare`` takes one review up to its runs;
``pipeline`` drives a set of reviews through runs and verdicts (one
``Options`` object).  The types that flow between stages are in
:mod:`nova_resize_checks.review.model`.
"""
