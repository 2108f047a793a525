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


"""Stage 2, versions: which version of the test a review quotes.

:mod:`.known_versions` holds the known upstream versions as data (line
fingerprints, commits); :mod:`.quotes` compares code with them (comparable
lines, quotations, the 2019 helper dialect and its port to today's);
:mod:`.identify` decides which version a review read, with
:mod:`.line_evidence` telling whose numbering its "line N" follow;
:mod:`.numbering` maps "line N" of another version onto ours;
:mod:`.references` reads the reference sources once for the claims stage.
"""
