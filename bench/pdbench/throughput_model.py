"""A throughput model for a cluster export over N node machines, from one run's measured costs.

This machine has 2 cores: more than one node here would share them, so the speed-up of more
machines is computed, not measured. Three things serve every snapshot, one after the other:

- a node exports it; N nodes work side by side, each at the rate one node reached here;
- the coordinator handles its outcome on one actor (parse the report, journal it with an fsync,
  print the progress line, offer the next job): one at a time, however many nodes there are;
- the registry takes its blobs (the layer, the config, the manifest): one registry for all.

So predicted snapshots/s = min(N x node rate, coordinator rate, registry rate). Costs are
steady-state figures (10th to 90th percentile done event of the 1-node cluster runs):

- node rate, as measured: the node shared this machine with the coordinator and the registry, so
  this is a floor; "own machine" scales it by the cores the other two took (a CPU-bound node gets
  them back), never above cores / the node's CPU per snapshot;
- coordinator rate = 1 / (its CPU per snapshot + one journal append and fsync on this disk); its
  CPU counts every thread of the process, not only the actor's, so this is a floor too;
- registry rate = the registry machine's cores / its CPU per snapshot (docker-registry is Go and
  spreads over cores; its disk is not modelled: here it is the page cache).
"""

NODES = (1, 2, 4, 8, 16)


def predict(inputs: dict, registry_cores: int | None = None, nodes=NODES) -> dict:
    cores = inputs["cores"]
    registry_cores = registry_cores or cores
    missing = [k for k in ("node_per_second", "node_cpu_ms", "coordinator_cpu_ms", "registry_cpu_ms") if inputs.get(k) is None]
    if missing:
        return {"inputs": inputs, "missing": missing}
    measured = inputs["node_per_second"]
    others = (inputs["coordinator_cpu_ms"] + inputs["registry_cpu_ms"]) / 1000 * measured  # cores the two took here
    own = min(measured * cores / max(cores - others, 1e-9), cores / (inputs["node_cpu_ms"] / 1000))
    own = max(own, measured)
    capacity = {
        "coordinator": 1000 / (inputs["coordinator_cpu_ms"] + inputs["journal_line_ms"]),
        "registry": registry_cores * 1000 / inputs["registry_cpu_ms"],
    }
    limit, by = min((v, k) for k, v in capacity.items())
    rows = []
    for n in nodes:
        row = {"nodes": n}
        for name, rate in (("measured", measured), ("own_machine", own)):
            total = min(n * rate, limit)
            row[name] = {"per_second": total, "bottleneck": "nodes" if n * rate <= limit else by, "speedup": total / rate}
        rows.append(row)
    # Each shared part's own ceiling in nodes: where it would stop the scaling were the other one
    # scaled out (a registry cluster behind a load balancer; a coordinator cannot be).
    ceilings = {name: {"measured": rate / measured, "own_machine": rate / own} for name, rate in capacity.items()}
    return {"inputs": inputs, "registry_cores": registry_cores, "node_per_second": {"measured": measured, "own_machine": own},
            "capacity": capacity, "limit": {"per_second": limit, "by": by},
            "saturates_at_nodes": {"measured": limit / measured, "own_machine": limit / own}, "ceilings": ceilings, "rows": rows}


def text(m: dict) -> list[str]:
    i = m["inputs"]
    if m.get("missing"):
        return [f"   throughput model: not computed, no steady-state figure for {', '.join(m['missing'])}"]
    out = [f"   throughput model for N node machines of {i['cores']} cores (computed, not measured; see throughput_model.py):",
           f"     inputs per snapshot: node {i['node_cpu_ms']:.2f} ms cpu, {m['node_per_second']['measured']:.0f}/s as measured here "
           f"({m['node_per_second']['own_machine']:.0f}/s with its own machine); coordinator {i['coordinator_cpu_ms']:.2f} ms cpu "
           f"+ {i['journal_line_ms']:.2f} ms journal fsync; registry {i['registry_cpu_ms']:.2f} ms cpu",
           f"     capacity: coordinator {m['capacity']['coordinator']:.0f}/s, registry ({m['registry_cores']} cores) "
           f"{m['capacity']['registry']:.0f}/s; nodes saturate the {m['limit']['by']} at N = "
           f"{m['saturates_at_nodes']['measured']:.1f} (measured rate) / {m['saturates_at_nodes']['own_machine']:.1f} (own machine); "
           + "; ".join(f"the {name} alone would stop it at N = {c['measured']:.1f} / {c['own_machine']:.1f}" for name, c in m["ceilings"].items()),
           f"     {'N':>4} {'snapshots/s (measured node rate)':>34} {'snapshots/s (own machine)':>28}"]
    for r in m["rows"]:
        cells = [f"{r[k]['per_second']:>8.0f} ({r[k]['speedup']:>4.1f}x, {r[k]['bottleneck']:<11})" for k in ("measured", "own_machine")]
        out.append(f"     {r['nodes']:>4} {cells[0]:>34} {cells[1]:>28}")
    return out
