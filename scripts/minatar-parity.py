"""Black-box measurements of the original MinAtar, for Keiko's parity checks (public API only).

The original is GPL-3.0 and not part of Keiko: it is never vendored, read or copied. Put a copy
on PYTHONPATH to run this script, e.g.
  git --git-dir=<mirror of kenjyoung/MinAtar> archive HEAD | tar -x -C /tmp/minatar-orig

  PYTHONPATH=/tmp/minatar-orig python3 scripts/minatar-parity.py stats OUT.json [EPISODES] [FREEWAY_EPISODES]
      Random-policy statistics (uniform over the minimal action set, sticky 0.1 and 0.0):
      {games: {game: {sticky: {return: {mean, std, n}, length: {...}}}}}. The committed
      tests/fixtures/minatar/original-random-stats.json came from `stats` with 20000 / 4000.
  PYTHONPATH=/tmp/minatar-orig python3 scripts/minatar-parity.py record GAME EPISODES OUT.json [SEED] [POLICY]
      Trajectories without sticky actions: the observation after reset and after every step,
      with the action index, reward and terminal flag. POLICY is `random` (uniform over the
      minimal set) or `play` (a crude heuristic that lives longer: tracks the ball in breakout,
      fires often in space_invaders, watches the oxygen in seaquest). `npx tsx
      scripts/minatar-parity.ts replay GAME OUT.json` then replays them in Keiko.
"""
import json
import math
import random
import sys
import time

from minatar import Environment

GAMES = ['breakout', 'asterix', 'freeway', 'seaquest', 'space_invaders']
KEIKO_NAMES = {'breakout': 'Breakout', 'asterix': 'Asterix', 'freeway': 'Freeway',
               'seaquest': 'Seaquest', 'space_invaders': 'SpaceInvaders'}


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


def stats(out, episodes=20000, freeway_episodes=4000):
    rng = random.Random(12345)
    result = {}
    for game in GAMES:
        result[KEIKO_NAMES[game]] = {}
        for sticky in (0.1, 0.0):
            t0 = time.time()
            n = freeway_episodes if game == 'freeway' else episodes
            result[KEIKO_NAMES[game]][str(sticky)] = measure(game, sticky, n, rng)
            print(game, sticky, json.dumps(result[KEIKO_NAMES[game]][str(sticky)]),
                  f'{time.time() - t0:.1f}s', flush=True)
    with open(out, 'w') as f:
        json.dump({'source': 'kenjyoung/MinAtar, run as a black box by scripts/minatar-parity.py',
                   'policy': 'uniform over the minimal action set, difficulty ramping on',
                   'games': result}, f, indent=2)


def play_policy(game, state, rng, n):
    """Crude heuristics (minimal-set indices) so that episodes reach deeper game states."""
    if game == 'breakout':
        ball, trail = state[:, :, 1].nonzero(), state[:, :, 2].nonzero()
        paddle = state[9, :, 0].nonzero()[0][0]
        if rng.random() < 0.95 and len(ball[1]) and len(trail[1]):
            x, y = int(ball[1][0]), int(ball[0][0])
            dx = 1 if x > trail[1][0] else -1 if x < trail[1][0] else 0
            while dx and y < 8:  # where will the ball be on row 8 (ignoring bricks)?
                if not 0 <= x + dx <= 9:
                    dx = -dx
                x, y = x + dx, y + 1
            return 1 if x < paddle else 2 if x > paddle else 0
    elif game == 'space_invaders':
        return rng.choices([0, 1, 2, 3], [1, 2, 2, 5])[0]
    elif game == 'seaquest':
        oxygen, divers = int(state[9, :, 7].sum()), int(state[9, :, 8].sum())
        y = state[:, :, 0].nonzero()[0][0]
        if oxygen <= 3 or (divers >= 6 and rng.random() < 0.8):
            return 2 if rng.random() < 0.8 else rng.randrange(6)
        if y == 0 and rng.random() < 0.7:
            return 4
        return rng.choices([0, 1, 2, 3, 4, 5], [1, 3, 1, 3, 1, 3])[0]
    return rng.randrange(n)


def record(game, episodes, out, seed=0, policy='random'):
    rng = random.Random(seed)
    env = Environment(game, sticky_action_prob=0.0, difficulty_ramping=True)
    actions = env.minimal_action_set()
    on = lambda s: [int(i) for i in s.reshape(-1).nonzero()[0]]
    result = []
    for _ in range(episodes):
        env.reset()
        episode = {'reset': on(env.state()), 'steps': []}
        done = False
        while not done:
            if policy == 'play':
                a = play_policy(game, env.state(), rng, len(actions))
            else:
                a = rng.randrange(len(actions))
            reward, done = env.act(actions[a])
            episode['steps'].append({'a': a, 'r': float(reward), 'd': bool(done), 'on': on(env.state())})
        result.append(episode)
    with open(out, 'w') as f:
        json.dump({'game': KEIKO_NAMES[game], 'stickyActionProb': 0.0, 'episodes': result}, f)
    print(game, episodes, 'episodes,', sum(len(e['steps']) for e in result), 'steps ->', out)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ''
    if mode == 'stats':
        stats(sys.argv[2], *[int(a) for a in sys.argv[3:5]])
    elif mode == 'record':
        record(sys.argv[2], int(sys.argv[3]), sys.argv[4],
               int(sys.argv[5]) if len(sys.argv) > 5 else 0, sys.argv[6] if len(sys.argv) > 6 else 'random')
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
