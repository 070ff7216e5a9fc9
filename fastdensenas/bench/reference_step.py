# Times the reference FastDenseNAS search (DrSleep/nas-segm-pytorch @5de0c5c) at dpnas's `small`
# bench preset, one libtorch thread: the stage-1 step (its train_task0 on pre-computed encoder
# outputs: decoder with auxiliary cells, batch 4, crop 64, 21 classes, distillation MSE 0.3, aux
# weight 0.15, clip 3, Adam 3e-3, Polyak 0.9), the stage-2 step (its train_segmenter: MobileNet-v2 +
# decoder end to end, two clips, SGD 1e-3 + Adam 3e-3, Polyak 0.99) and the controller's PPO update
# over a full buffer of 100 children (its train_agent), each timed around the reference's own
# function with a one-batch stand-in loader. The decoder is the one dpnas's bench trains: the paper
# space sampled with java.util.Random(seed) in DecoderSpace's decision order (reproduced below).
#
# Run with Debian's python3-torch (1.13; the other pythons here have no torch) against a checkout
# of the reference with two edits for this CPU machine:
#   src/engine/trainer.py   drop every `.cuda()` (sed -i 's/\.cuda()//')
#   src/helpers/storage.py  `dtype=np.int` -> `dtype=int` (NumPy 1.24 removed the alias)
# (a checkout: every file of `git ls-tree -r HEAD` written out with `git show HEAD:PATH`; `git
# archive` stops at the pretrained encoder data/weights/mbv2_voc_rflw.ckpt, whose blob the mirror
# lacks, so the encoder is random, as in dpnas's bench). Then:
#   /usr/bin/python3 fastdensenas/bench/reference_step.py REF_DIR --iters 10 --warmup 2
# and compare with (same iters/warmup; its *_cpu_ms keys are the same kind of number):
#   ./dpnas bench fastdensenas --preset small --iters 10 --warmup 2 --threads 1 --json OUT
# Prints, per step kind, the medians of per-step thread CPU time (time.thread_time: at one thread
# every op runs on the calling thread, so a loaded machine's waiting is left out), of wall time, and
# of the process's CPU time (all threads; a check that the thread's time is all of it).
# Where the two setups differ (engine builds, the separable op's BatchNorms, skip as a copy, the
# stage-2 loss resolution, per-parameter vs packed updates, the controller's LSTM): the "Speed"
# section of fastdensenas/README.md.
import argparse
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as tnn

# The reference's op table order (its rl/genotypes.OP_NAMES) equals dpnas's DecoderOp order.
OPS = 11


class JavaRandom:
    """java.util.Random (the 48-bit LCG), enough of it for nextInt(bound)."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def _next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        return self.seed >> (48 - bits)

    def next_int(self, bound):
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < (1 << 31):  # Java's int overflow test
                return r
            u = self._next(31)


def dpnas_genotype(seed):
    """DecoderSpace.paper().sample(new Random(seed)) as the reference's [cell, connections]."""
    rnd = JavaRandom(seed)
    conns = [[rnd.next_int(4 + c), rnd.next_int(4 + c)] for c in range(3)]
    cell = [rnd.next_int(OPS)]
    for k in range(1, 4):
        n = 3 * k - 1  # nodes layer k may read (CellLayer.inputChoices)
        cell.append([rnd.next_int(n), rnd.next_int(n), rnd.next_int(OPS), rnd.next_int(OPS)])
    return [cell, conns]


class Loader:
    """A stand-in DataLoader: a fixed list of batches, with the attributes the reference touches."""

    class _Dataset:
        def set_stage(self, stage):
            pass

    class _Sampler:
        batch_size = 1

    def __init__(self, batches):
        self.batches = batches
        self.dataset = Loader._Dataset()
        self.batch_sampler = Loader._Sampler()

    def __iter__(self):
        return iter(self.batches)

    def __len__(self):
        return len(self.batches)


class Segmenter(tnn.Module):
    """Encoder then decoder, the shape main_search.py's segmenter has."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):
        return self.decoder(self.encoder(x))


def timed(warmup, iters, step):
    """Medians (ms) of the step's thread CPU, wall and process CPU time."""
    cpu, wall, proc = [], [], []
    for i in range(warmup + iters):
        c0, t0, p0 = time.thread_time(), time.perf_counter(), time.process_time()
        step()
        c1, t1, p1 = time.thread_time(), time.perf_counter(), time.process_time()
        if i >= warmup:
            cpu.append(1000 * (c1 - c0))
            wall.append(1000 * (t1 - t0))
            proc.append(1000 * (p1 - p0))
    return statistics.median(cpu), statistics.median(wall), statistics.median(proc)


def checked(result, what):
    # the reference's @try_except turns a RuntimeError into a silent 0: never time that
    if result is not None:
        raise SystemExit("reference %s failed (its try_except returned %r)" % (what, result))


def main():
    ap = argparse.ArgumentParser(description="time the reference FastDenseNAS steps")
    ap.add_argument("ref", help="checkout of DrSleep/nas-segm-pytorch, with the CPU edits")
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0, help="dpnas bench --seed (the decoder)")
    ap.add_argument("--json", help="also write the numbers here")
    ap.add_argument(
        "--only",
        default="stage1,stage2,controller",
        help="comma-separated steps to time (stage1, stage2, controller); default all",
    )
    a = ap.parse_args()
    if a.iters < 1 or a.warmup < 0:
        raise SystemExit("need --iters >= 1 and --warmup >= 0")
    src = os.path.join(a.ref, "src")
    for f, bad in [("engine/trainer.py", ".cuda()"), ("helpers/storage.py", "dtype=np.int)")]:
        path = os.path.join(src, f)
        if not os.path.isfile(path):
            raise SystemExit("%s: not found (is %s the reference checkout?)" % (path, a.ref))
        with open(path) as fh:
            if bad in fh.read():
                raise SystemExit("%s still has '%s': apply the CPU edits first" % (path, bad))
    sys.path[:0] = [src, a.ref]  # the reference imports both `rl.x` and `src.rl.x`
    from engine.trainer import populate_task0, train_segmenter, train_task0
    from helpers.utils import init_polyak
    from nn.encoders import mbv2
    from nn.micro_decoders import MicroDecoder
    from rl.agent import create_agent, train_agent
    from utils.solvers import create_optimisers

    warnings.filterwarnings("ignore", category=UserWarning)  # its deprecated calls, once each
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    batch, crop, classes = 4, 64, 21
    config = dpnas_genotype(a.seed)
    encoder = mbv2(pretrained=False, return_layers=[1, 2, 4, 6])
    decoder = MicroDecoder(
        inp_sizes=list(encoder.out_sizes),
        num_classes=classes,
        config=config,
        agg_size=48,
        aux_cell=True,
        repeats=1,
    )
    # main_search.py wraps the segmenter in DataParallel, which on a CPU-only torch calls it as is
    segmenter = tnn.DataParallel(Segmenter(encoder, decoder))
    segm_crit = tnn.NLLLoss(ignore_index=255)  # the reference's NLLLoss2d is this
    kd_crit = tnn.MSELoss()
    optim_enc, optim_dec = create_optimisers(
        "sgd", "adam", 1e-3, 3e-3, 0.9, 0.9, 1e-5, 1e-5,
        segmenter.module.encoder.parameters(), segmenter.module.decoder.parameters(),
    )

    def sample():
        return {
            "image": torch.randn(batch, 3, crop, crop),
            "mask": torch.randint(0, classes, (batch, crop, crop)),
        }

    # stage 1: encoder outputs of one batch pre-computed by the reference (stand-in teacher logits)
    one = sample()
    singles = [
        {"image": one["image"][i : i + 1], "mask": one["mask"][i : i + 1]} for i in range(batch)
    ]

    def teacher(image):
        return torch.randn(image.size(0), classes, crop, crop)

    xy = populate_task0(segmenter, Loader(singles), teacher, batch, True)
    if not isinstance(xy, dict):
        raise SystemExit("reference populate_task0 failed")
    avg_dec = init_polyak(True, segmenter.module.decoder)

    def stage1():
        checked(
            train_task0(
                xy, segmenter, optim_dec, 0, segm_crit, kd_crit, batch, False, True, 0.3, 3.0,
                True, avg_param=avg_dec, polyak_decay=0.9, aux_weight=0.15,
            ),
            "stage-1 step",
        )

    only = set(a.only.split(","))
    s1 = timed(a.warmup, a.iters, stage1) if "stage1" in only else None

    # stage 2: one batch per call of train_segmenter
    optim_enc, optim_dec = create_optimisers(
        "sgd", "adam", 1e-3, 3e-3, 0.9, 0.9, 1e-5, 1e-5,
        segmenter.module.encoder.parameters(), segmenter.module.decoder.parameters(),
    )
    avg_all = init_polyak(True, segmenter)
    loader = Loader([sample()])

    def stage2():
        checked(
            train_segmenter(
                segmenter, loader, optim_enc, optim_dec, 0, segm_crit, False, 3.0, 3.0, True,
                20, aux_weight=0.15, avg_param=avg_all, polyak_decay=0.99,
            ),
            "stage-2 step",
        )

    s2 = timed(a.warmup, a.iters, stage2) if "stage2" in only else None
    with torch.no_grad():
        out, aux = segmenter(one["image"])

    # controller: PPO (clip 0.1, lr 1e-4, 100 mini-batches of 1) over a full buffer of 100
    agent = create_agent(4, 11, 2, 100, 2, 3, 4, 4, 2, 1e-4, 0.95, "ppo", "cvpr")
    rng = np.random.RandomState(a.seed)
    for _ in range(100):  # fill the rollout buffer without updating
        with torch.no_grad():
            cfg, _, log_prob = agent.controller.sample()
        agent.update((rng.rand(), agent.controller.config2action(cfg), log_prob), is_train=False)

    def controller():
        # as dpnas's bench: the child's proposal, the update on its reward, the next proposal
        with torch.no_grad():
            cfg, ent, log_prob = agent.controller.sample()
        train_agent(agent, (cfg, rng.rand(), ent, log_prob))
        with torch.no_grad():
            agent.controller.sample()

    c = timed(a.warmup, a.iters, controller) if "controller" in only else None

    numbers = {}
    for name, m in [("stage1_step", s1), ("stage2_step", s2), ("controller_update", c)]:
        if m is None:
            continue
        numbers[name + "_cpu_ms"] = m[0]
        numbers[name + "_ms"] = m[1]
        numbers[name + "_process_cpu_ms"] = m[2]  # all threads: equals cpu_ms at one thread
    print(
        "reference @5de0c5c, decoder %s, main logits %s, %d aux; medians of %d after %d warm-up,"
        " 1 thread" % (config, tuple(out.shape[2:]), len(aux), a.iters, a.warmup)
    )
    for k, v in numbers.items():
        print("%s %.1f" % (k, v))
    if a.json:
        doc = dict(numbers, iters=a.iters, warmup=a.warmup, seed=a.seed, decoder=config,
                   torch=torch.__version__, threads=torch.get_num_threads())
        tmp = a.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(doc, fh, indent=2)
        os.replace(tmp, a.json)


if __name__ == "__main__":
    main()
