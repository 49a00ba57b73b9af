"""Import what operators already have: VNF descriptors and Kubernetes manifests, as nfvplan VNFs.

`import_descriptors(paths)` reads each file, tells its format from its content (a CSAR zip,
SOL006 XML, or YAML/JSON documents: TOSCA, SOL006 or Kubernetes objects), and hands it to the
module for that format (`tosca`, `sol006`, `kubernetes`). Every importer fills the same
`ImportResult`; `emit` writes it. Bad figures (an unknown unit, a negative size, a quantity
that does not parse) and files that are no descriptor raise `InputError`, located; what is
recognised but cannot be mapped is a warning. docs/import.md has the mapping tables.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nfvplan.errors import InputError, Problem
from nfvplan.importers.kubernetes import DEFAULT_SRIOV_PATTERNS, import_kubernetes
from nfvplan.importers.model import ImportedVnf, ImportResult
from nfvplan.importers.sol006 import import_sol006
from nfvplan.importers.sources import (
    Package,
    is_zip,
    kind_of,
    not_a_descriptor,
    read_documents,
    read_file,
)
from nfvplan.importers.tosca import import_tosca
from nfvplan.io.yamlsrc import Node, read_capped

__all__ = ["ImportOptions", "ImportResult", "ImportedVnf", "import_descriptors"]


CNF_FORMS = {
    "container": ("container",),
    "container-in-vm": ("container-in-vm",),
    "both": ("container", "container-in-vm"),
}
"""What `--cnf-form` writes for a containerised workload (a Kubernetes pod template, a SOL001
OsContainerDeployableUnit): bare-metal Kubernetes nodes, Kubernetes worker VMs (OpenShift on
OpenStack, Tanzu on vSphere: the nested form), or both for the solver to choose."""


@dataclass(frozen=True)
class ImportOptions:
    """How to read: the deployment flavour to pick, TOSCA's MB/GB reading, SR-IOV names, and
    the forms a containerised workload gets (`CNF_FORMS`)."""

    flavour: str | None = None
    binary_si: bool = True
    sriov_patterns: tuple[str, ...] = DEFAULT_SRIOV_PATTERNS
    cnf_form: str = "container"


def import_descriptors(paths: Sequence[Path], options: ImportOptions | None = None) -> ImportResult:
    """Every VNF found in `paths`, in order; InputError for a file that is no descriptor."""
    options = options or ImportOptions()
    result = ImportResult()
    for path in paths:
        result.sources.append(str(path))
        data = read_file(path)
        if is_zip(data):
            _import_csar(data, str(path), result, options)
        else:
            _import_plain(data, path, result, options)
    _apply_cnf_form(result, options.cnf_form)
    if not result.vnfs:
        raise InputError.single(
            ", ".join(map(str, paths)),
            "no VNF found: the files hold no VDU, workload or virtual machine",
        )
    if not any(vnf.sized for vnf in result.vnfs):
        reasons = [str(w) for w in result.warnings if "commented out" in w.message]
        raise InputError.single(
            ", ".join(map(str, paths)),
            "no VNF could be sized, so nothing was written: "
            + ("; ".join(reasons) if reasons else "no vCPU and memory figures found"),
        )
    return result


def _apply_cnf_form(result: ImportResult, cnf_form: str) -> None:
    """Give every containerised VNF the forms `cnf_form` names. Done once here, after every
    importer, so that TOSCA and Kubernetes containers follow the same option; KubeVirt and
    VDU VMs stay VMs. A workload whose source says it runs on worker VMs, imported as bare
    containers, gets a warning naming the option."""
    forms = CNF_FORMS[cnf_form]
    for vnf in result.vnfs:
        if vnf.forms != ("container",):
            continue
        if forms != vnf.forms:
            vnf.forms = forms
            pinned = " (pinned: cpu: dedicated)" if vnf.cpu_dedicated else ""
            vnf.notes.append(
                f"forms: {', '.join(forms)} from --cnf-form {cnf_form}; needs "
                f"platform.container-in-vm.worker{pinned}"
            )
        elif vnf.vm_nodes:
            result.warnings.append(
                Problem(
                    vnf.source,
                    vnf.line,
                    None,
                    vnf.where,
                    "selects nodes by instance type, so it runs on Kubernetes worker VMs: "
                    "imported as bare containers; --cnf-form container-in-vm (or both) plans "
                    "it inside worker VMs",
                )
            )


def _import_plain(data: bytes, path: Path, result: ImportResult, options: ImportOptions) -> None:
    name = str(path)
    documents = read_documents(data, name, result.warnings)
    if not documents:
        raise InputError.single(name, "the file is empty: no descriptor in it", line=1)
    kinds = [kind_of(doc) for doc in documents]
    for doc, kind in zip(documents, kinds, strict=True):
        if kind is None and not (kinds.count("kubernetes") and doc.kind == "map"):
            raise not_a_descriptor(name, doc)
    if "kubernetes" in kinds:
        import_kubernetes(
            [d for d, k in zip(documents, kinds, strict=True) if k == "kubernetes"],
            name,
            result,
            sriov_patterns=options.sriov_patterns,
        )
        others = [d for d, k in zip(documents, kinds, strict=True) if k not in ("kubernetes",)]
        for doc in others:
            result.skipped.append(f"{name}: a document at line {doc.line} that is no object")
        return
    for doc, kind in zip(documents, kinds, strict=True):
        if kind == "tosca":

            def load(importer: str, target: str) -> tuple[Node, str] | None:
                resolved = Path(importer).parent / target
                try:
                    raw = read_capped(resolved, regular_only=True)
                except InputError:
                    return None
                label = str(Path(posixpath.normpath(resolved.as_posix())))
                docs = read_documents(raw, label, result.warnings)
                return (docs[0], label) if docs else None

            import_tosca(
                doc, name, load, result, flavour=options.flavour, binary_si=options.binary_si
            )
        elif kind == "sol006":
            import_sol006(doc, name, result, flavour=options.flavour)


def _import_csar(data: bytes, name: str, result: ImportResult, options: ImportOptions) -> None:
    package = Package(data, name)
    entry = package.entry()

    def load(member: str) -> tuple[Node, str] | None:
        member = posixpath.normpath(member)
        raw = package.read(member)
        if raw is None:
            return None
        docs = read_documents(raw, f"{name}!{member}", result.warnings)
        return (docs[0], f"{name}!{member}") if docs else None

    def load_member(importer: str, target: str) -> tuple[Node, str] | None:
        base = importer.split("!", 1)[1] if "!" in importer else ""
        return load(posixpath.join(posixpath.dirname(base), target))

    loaded = load(entry)
    if loaded is None:  # pragma: no cover - entry() checked it exists
        raise InputError.single(name, f"cannot read {entry}")
    node, label = loaded
    if kind_of(node) != "tosca":
        raise not_a_descriptor(label, node)
    import_tosca(
        node, label, load_member, result, flavour=options.flavour, binary_si=options.binary_si
    )
