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


"""Every output format, built from one data model.

``document``
    the data model: the meta-check's results as plain data (the
    ``--format json`` document) and the preparation cache's form of a
    review, with one dictionary form of a change, finding and run result;
``review_text``
    that document as text, one screen per review (``-v``, ``--explain``
    for the rest);
``subunit`` and ``junit``
    that document as a subunit v2 stream (real start and stop times,
    injective ids), and JUnit XML read back from that stream;
``flagged``, ``sarif`` and ``gerrit``
    the flagged claims of that document and where each sits (a reviewer
    comment's line, or the review file's), as a SARIF 2.1.0 log and as a
    Gerrit ReviewInput with robot comments;
``scenario_text`` and ``backport_text``
    text for ``reproduce``, ``mutants`` (``--matrix``) and ``backport``;
``safe``
    escaping of control characters and undecodable file names, and
    injective test ids, for every format above.

Nothing here chooses a stream: writers return strings or bytes, or print
to the console they are given.
"""
