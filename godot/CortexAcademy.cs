using System;
using Cortex;
using Cortex.Backends;
using Cortex.Learning;
using Cortex.Realtime;
using Cortex.Serialization;
using Godot;

namespace Cortex.Samples.Godot
{
    /// <summary>
    /// A scene-less Godot 4 node that owns a crowd of agents sharing one brain: every physics tick the
    /// <see cref="AgentGroup"/> gathers all observations, answers them with one batched brain call, and learns
    /// within a budget. Add the node to any scene (or as an autoload); the brain is saved to user:// on exit
    /// and loaded from there on the next run.
    /// </summary>
    public partial class CortexAcademy : Node
    {
        /// <summary>Agents in the crowd.</summary>
        public int AgentCount { get; set; } = 64;

        private CpuBackend? _backend;
        private Brain? _brain;
        private AgentGroup? _group;
        private Walker[] _walkers = Array.Empty<Walker>();

        /// <summary>Decisions taken so far.</summary>
        public long Steps => _group?.Steps ?? 0;

        /// <summary>Mean return of the episodes the crowd finished last (a learning curve for a HUD).</summary>
        public float MeanLastReturn
        {
            get
            {
                float sum = 0;
                foreach (Walker w in _walkers) sum += w.LastEpisodeReward;
                return _walkers.Length == 0 ? 0 : sum / _walkers.Length;
            }
        }

        private static string BrainPath => ProjectSettings.GlobalizePath("user://walker.cbrain");

        public override void _Ready()
        {
            _backend = new CpuBackend(threads: 2);   // the brain does not own a backend it is given
            _brain = System.IO.File.Exists(BrainPath)
                ? BrainFile.Load(BrainPath, _backend)
                : Brain.Create(inputs: 2)
                    .Dense(32, Activation.Relu)
                    .Dense(3, Activation.Linear)   // Q-values of: stay, left, right
                    .Optimizer(Optimizer.Adam(1e-3f))
                    .Backend(_backend)
                    .Build(seed: 1);
            _group = AgentGroup.WithDqn(_brain, new DqnOptions(), TrainingBudget.UpdatesWithin(maxUpdates: 2, microseconds: 1000), seed: 1);
            _walkers = new Walker[AgentCount];
            for (int i = 0; i < _walkers.Length; i++)
            {
                _walkers[i] = new Walker(seed: (ulong)i + 1) { MaxStep = 200 };
                _group.Add(_walkers[i]);
            }
        }

        public override void _PhysicsProcess(double delta) => _group?.Step();   // Godot's fixed tick

        public override void _ExitTree()
        {
            if (_brain is null) return;
            try
            {
                _brain.Save(BrainPath);
            }
            catch (System.IO.IOException e)
            {
                GD.PrintErr($"Could not save the brain to {BrainPath}: {e.Message}");
            }
            _group?.Dispose();
            _brain.Dispose();
            _brain = null;
            _backend?.Dispose();
        }

        /// <summary>A walker on a line that learns to reach its goal; no scene node needed.</summary>
        private sealed class Walker : Agent
        {
            private readonly SeededRandom _random;
            private float _position, _goal;

            public Walker(ulong seed) => _random = new SeededRandom(seed);

            protected override void OnEpisodeBegin()
            {
                _position = _random.NextFloat(-5f, 5f);
                _goal = _random.NextFloat(-5f, 5f);
            }

            protected override void CollectObservations(Span<float> observations)
            {
                observations[0] = (_goal - _position) / 10f;
                observations[1] = _position / 5f;
            }

            protected override void OnActionReceived(ReadOnlySpan<float> action)
            {
                int a = (int)action[0];
                _position += a == 1 ? -0.1f : a == 2 ? 0.1f : 0f;
                AddReward(-0.01f);
                if (Math.Abs(_goal - _position) < 0.1f)
                {
                    AddReward(1f);
                    EndEpisode();
                }
            }
        }
    }
}
