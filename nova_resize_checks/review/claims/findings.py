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


"""Check a review's claims that can be checked without running anything.

:func:`check_claims` looks for

* names (backticked in prose, or used by proposed code) that exist neither
  in the reference sources nor in nova's test helpers
  (:data:`~model.UNKNOWN_NAME`);
* things called unused, or asked to be removed, that the reference test
  uses (:data:`~model.USED_NOT_UNUSED`);
* quoted numbered lines, and "line N" references, that match that line of
  none of the reference sources (:data:`~model.LINE_MISMATCH`);
* proposed code whose placement assertions cannot all hold
  (:data:`~model.CONTRADICTION`).

Each kind is checked by a module of its own: :mod:`.unknown_names`,
:mod:`.unused`, :mod:`.line_claims` and :mod:`.contradictions`; this one
reads the reference sources once and runs the four.  Claims that could not
become a change are reported by
:func:`nova_resize_checks.review.claims.extract.extract`.
Nothing here imports nova: :func:`nova_helper_names` reads nova's helper
modules with :mod:`ast`.
"""


from nova_resize_checks.review.claims import contradictions
from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import line_claims
from nova_resize_checks.review.claims import unknown_names
from nova_resize_checks.review.claims import unused
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.versions import references

# Kept importable from here, where callers have always found them.
HELPER_MODULES = unknown_names.HELPER_MODULES
NEGATED = unknown_names.NEGATED
nova_package_dir = unknown_names.nova_package_dir
nova_helper_names = unknown_names.nova_helper_names
contradictions_in = contradictions.contradictions_in


def check_claims(parsed, changes, reference_sources, helper_names):
    """Findings about ``parsed``'s claims and ``changes``' code."""
    refs = references.of(reference_sources)
    helper_names = frozenset(helper_names or ())
    findings = []
    if not helper_names:
        findings.append(model.Finding(
            model.UNKNOWN_NAME,
            'no nova helper names given; names are checked against the '
            'reference sources only'))
    known = unknown_names.known_names(changes, refs.tokens, helper_names)
    sentences = list(prose.iter_sentences(parsed))
    findings.extend(unknown_names.prose_names(sentences, known))
    findings.extend(unknown_names.code_names(changes, refs, helper_names,
                                             known))
    findings.extend(unused.unused_claims(sentences, changes, refs,
                                         helper_names))
    findings.extend(line_claims.line_mismatches(parsed, sentences, changes,
                                                refs))
    findings.extend(contradictions.contradiction_findings(changes))
    return extract.cap_findings(findings)
