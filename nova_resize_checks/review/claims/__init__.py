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


"""Stage 3, claims: what a review asks for, as typed changes.

:mod:`.lexicon` holds every pattern and word list the reading uses;
:mod:`.language` tells what language a block is in; :mod:`.fixes` turns a
code block offered as a fix into a change and finds its place;
:mod:`.rules` holds the sentence rules (one function per rule, run in the
order of :data:`.rules.SENTENCE_RULES`; the removal and gerrit-header
families in :mod:`.removal_rules` and :mod:`.header_rules`), helped by
:mod:`.words` (the words around a code span), :mod:`.places` (the line or
scope a sentence names) and :mod:`.renaming`; :mod:`.likeness` says
whether a sentence that became no change still reads as a claim;
:mod:`.extract` drives them over one review; :mod:`.findings` reports
what needs no run (unknown names, misquoted lines, contradictions);
:mod:`.asked_code` finds the inline code sentences ask for wherever it
sits, for the static gate.
"""
