"""Measure the original MinAtar's random-policy statistics (black box, public API only).

Needs the original MinAtar on PYTHONPATH (it is GPL-3.0 and not part of Keiko; never vendored):
  git --git-dir=<mirror> archive HEAD | tar -x -C /tmp/minatar-orig
  PYTHONPATH=/tmp/minatar-orig python3 bench/minatar-parity.py OUT.json [EPISODES] [FREEWAY_EPISODES]

The policy samples uniformly from each game's minimal action set, like Keiko's parity test.
Writes {game: {sticky: {return: {mean, std, n}, length: {mean, std, n}}}} to OUT.json.
"""
import json
import math
import random
import sys
import time

import numpy as np
from minatar import Environment

GAMES = ['breakout', 'asterix', 'freeway', 'seaquest', 'space_invaders']
STICKY = [0.1, 0.0]


def summary(values):
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return {'mean': mean, 'std': math.sqrt(var), 'n': n}


def measure(game, sticky, episodes, rng):
    env = Environment(game, sticky_action_prob=sticky, difficulty_ramping=True)
    actions = env.minimal_action_set()
    returns, lengths = [], []
    for _ in range(episodes):
        env.reset()
        total, steps, done = 0.0, 0, False
        while not done:
            reward, done = env.act(actions[rng.randrange(len(actions))])
            total += reward
            steps += 1
        returns.append(total)
        lengths.append(steps)
    return {'return': summary(returns), 'length': summary(lengths)}


def main():
    out = sys.argv[1]
    episodes = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    freeway_episodes = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    np.random.seed(12345)
    rng = random.Random(12345)
    result = {}
    for game in GAMES:
        result[game] = {}
        for sticky in STICKY:
            t0 = time.time()
            n = freeway_episodes if game == 'freeway' else episodes
            stats = measure(game, sticky, n, rng)
            result[game][str(sticky)] = stats
            print(game, sticky, json.dumps(stats), f'{time.time() - t0:.1f}s', flush=True)
    with open(out, 'w') as f:
        json.dump({'source': 'kenjyoung/MinAtar (original, black-box run)',
                   'policy': 'uniform over minimal action set',
                   'difficultyRamping': True, 'games': result}, f, indent=2)


if __name__ == '__main__':
    main()
