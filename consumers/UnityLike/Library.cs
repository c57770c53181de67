using System;
using Cortex;
using Cortex.Realtime;

namespace Cortex.Consumers
{
    /// <summary>One agent's observation: one float per brain input.</summary>
    public struct Senses
    {
        public float Dx, Dy, Vx, Vy;
    }

    /// <summary>One agent's action: one float per brain output.</summary>
    public struct Steering
    {
        public float Turn, Throttle;
    }

    /// <summary>A game system as a Unity project would write it (C# 9): think for a crowd with one batched call.</summary>
    public sealed class CrowdThinker : IDisposable
    {
        private readonly Brain _brain;
        private readonly BrainRegistry _registry = new BrainRegistry();
        private readonly ThinkSystem _think;
        private readonly BrainHandle _handle;

        public CrowdThinker(int agents)
        {
            _brain = Brain.Create(inputs: 4).Dense(16, Activation.Tanh).Dense(2, Activation.Tanh).Build(seed: 3);
            _handle = _registry.Register(_brain);
            _think = new ThinkSystem(_registry, rowsPerBrain: agents, columnsPerTick: 4);
        }

        public void Tick(Senses[] observations, Memory<Steering> actions)
        {
            _think.Submit<Senses, Steering>(_handle, observations, actions);
            _think.Think();
        }

        public void Dispose() => _brain.Dispose();
    }
}
