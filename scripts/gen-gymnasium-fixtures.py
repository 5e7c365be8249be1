#!/usr/bin/env python3
"""Generate Gymnasium parity fixtures for Keiko's classic-control envs (run by hand, once).

Needs a Gymnasium source checkout on PYTHONPATH plus numpy; missing pure-Python imports such as
farama_notifications can be empty shim modules in a throwaway directory, e.g.

    mkdir -p /tmp/gymshim && touch /tmp/gymshim/farama_notifications.py
    PYTHONPATH=/path/to/Gymnasium:/tmp/gymshim python3 scripts/gen-gymnasium-fixtures.py [GYMNASIUM_COMMIT]

Each episode: reset, set env.unwrapped.state to a chosen start state, then step a recorded action
sequence (a fixed policy or seeded random actions) until terminated or truncated, recording every
observation, reward, flag and the float64 state. The tests replay the actions in Keiko and compare.
"""
import json
import os
import sys

import numpy as np
import gymnasium as gym

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'gymnasium')


def f32(x):
    """Shortest decimal that round-trips to the same float32."""
    return float(str(np.float32(x)))


def run_episode(env_id, name, start_state, policy):
    env = gym.make(env_id)
    env.reset(seed=0)
    env.unwrapped.state = np.array(start_state, dtype=np.float64)
    obs = None
    steps = []
    while True:
        action = int(policy(np.array(env.unwrapped.state, dtype=np.float64), obs, len(steps)))
        obs, reward, terminated, truncated, _ = env.step(action)
        steps.append({
            'action': action,
            'observation': [f32(v) for v in obs],
            'reward': float(reward),
            'terminated': bool(terminated),
            'truncated': bool(truncated),
            'state': [float(v) for v in np.asarray(env.unwrapped.state, dtype=np.float64)],
        })
        if terminated or truncated:
            break
    env.close()
    end = 'terminated' if steps[-1]['terminated'] else 'truncated'
    print(f'{env_id} {name}: {len(steps)} steps, {end}, return {sum(s["reward"] for s in steps)}')
    return {
        'name': name,
        'startState': [float(v) for v in start_state],
        'actions': [s['action'] for s in steps],
        'observations': [s['observation'] for s in steps],
        'rewards': [s['reward'] for s in steps],
        'terminated': [s['terminated'] for s in steps],
        'truncated': [s['truncated'] for s in steps],
        'states': [s['state'] for s in steps],
    }


def random_policy(seed, n):
    rng = np.random.default_rng(seed)
    return lambda state, obs, t: rng.integers(n)


def main():
    commit = sys.argv[1] if len(sys.argv) > 1 else 'unknown'
    meta = {'generator': 'scripts/gen-gymnasium-fixtures.py', 'gymnasium': gym.__version__,
            'gymnasiumCommit': commit, 'numpy': np.__version__}
    fixtures = {
        'CartPole-v1': [
            # A linear state-feedback controller balances the pole until the 500-step time limit.
            run_episode('CartPole-v1', 'balanced-truncation', [0.01, -0.02, 0.03, 0.01],
                        lambda s, o, t: 1 if 0.3 * s[0] + 0.8 * s[1] + 10.0 * s[2] + 1.5 * s[3] > 0 else 0),
            run_episode('CartPole-v1', 'random-terminates', [-0.04, 0.03, -0.02, 0.045], random_policy(1, 2)),
            # Near the right edge, pushing right: ends by |x| > 2.4.
            run_episode('CartPole-v1', 'cart-leaves-track', [2.2, 0.5, 0.0, -0.3], lambda s, o, t: 1 if s[2] > 0 else 0),
        ],
        'MountainCar-v0': [
            # Energy pumping (push along the velocity) reaches the flag.
            run_episode('MountainCar-v0', 'pumping-reaches-flag', [-0.5, 0.0], lambda s, o, t: 2 if s[1] >= 0 else 0),
            run_episode('MountainCar-v0', 'random-truncation', [-0.45, 0.0], random_policy(2, 3)),
            # Driven into the left wall first (clipping, inelastic wall), then pumping to the flag.
            run_episode('MountainCar-v0', 'left-wall-then-flag', [-1.1, -0.05],
                        lambda s, o, t: 0 if t < 12 else (2 if s[1] >= 0 else 0)),
        ],
        'Acrobot-v1': [
            run_episode('Acrobot-v1', 'random-truncation', [0.05, -0.03, 0.02, -0.08], random_policy(3, 3)),
            # Torque along the second joint's velocity pumps energy until the tip clears the bar.
            run_episode('Acrobot-v1', 'pumping-terminates', [0.02, 0.01, -0.05, 0.07],
                        lambda s, o, t: 2 if s[3] >= 0 else 0),
            # Fast start: exercises angle wrapping and velocity clipping.
            run_episode('Acrobot-v1', 'fast-spin-wraps-and-clips', [3.0, -3.0, 12.0, 27.0], random_policy(4, 3)),
        ],
    }
    os.makedirs(OUT, exist_ok=True)
    for env_id, episodes in fixtures.items():
        path = os.path.join(OUT, env_id.replace('/', '_') + '.json')
        with open(path, 'w') as f:
            json.dump({'meta': meta, 'envId': env_id, 'episodes': episodes}, f, separators=(',', ':'))
            f.write('\n')
        print('wrote', os.path.relpath(path))


if __name__ == '__main__':
    main()
