using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Cortex.Learning;
using Cortex.Realtime;

namespace Cortex.Samples.Agents;

/// <summary>Settings of a seekers run.</summary>
public sealed class SeekersSettings
{
    public ulong Seed { get; set; } = 1;
    public int Agents { get; set; } = 256;
    public int Targets { get; set; } = 128;
    public int Ticks { get; set; } = 3_000;
    public int GradientStepsPerTick { get; set; } = 4;
    public int TargetUpdateTicks { get; set; } = 50;
    public int WindowTicks { get; set; } = 100;
    public int ChunkRows { get; set; } = 100;
    public int Threads { get; set; } = 1;
    public DqnOptions Dqn { get; set; } = new()
    {
        Gamma = 0.95f, BatchSize = 128, BufferCapacity = 200_000, LearningStarts = 0,
        Exploration = ExplorationSchedule.Linear(1f, 0.05f, 150_000),
    };
}

/// <summary>One window of the seekers learning curve.</summary>
public readonly record struct SeekersPoint(long Tick, float RewardPerAgentTick, float ReachedPerAgentPer1000Ticks, float CollisionsPerAgentTick, float Loss);

/// <summary>The outcome of a seekers run.</summary>
public sealed class SeekersResult
{
    public List<SeekersPoint> Curve { get; init; } = new();
    public double Seconds { get; init; }
    public long Ticks { get; init; }
    public SeekerArena Arena { get; init; } = null!;
    public long BrainCalls { get; init; }
}

/// <summary>
/// Online DQN for a crowd: every tick the observation column is submitted chunk by chunk (as an ECS
/// iterates its chunks) to a <see cref="ThinkSystem"/>, which answers all agents with one batched
/// call to the shared Q-network; actions are ε-greedy on those Q-values; every agent's transition goes
/// into one replay buffer, and a fixed number of gradient steps run per tick.
/// </summary>
public static class SeekersRun
{
    public static Brain CreateBrain(SeekersSettings settings) =>
        Brain.Create(SeekerObservation.Size).Dense(64, Activation.Relu).Dense(64, Activation.Relu).Dense(SeekerActionValues.Size, Activation.Linear)
            .Loss(Loss.Huber).Optimizer(Optimizer.Adam(1e-3f).WithGradientClipping(10f))
            .MaxBatch(Math.Max(settings.Dqn.BatchSize, 512)).Threads(settings.Threads).Build(settings.Seed);

    /// <summary>The simulation's fixed step: 30 ticks per simulated second.</summary>
    public const double TickSeconds = 1.0 / 30.0;

    public static SeekersResult Train(SeekersSettings settings, Brain brain, bool learn = true, Action<SeekersPoint>? progress = null)
    {
        using var session = new Session(settings, brain, learn, progress);
        var loop = new FixedStepLoop(TickSeconds);
        while (session.Tick < settings.Ticks) loop.Advance(TickSeconds, session);   // headless: one tick per frame
        return session.Result();
    }

    private sealed class Session : IFixedStep, IDisposable
    {
        private readonly SeekersSettings _settings;
        private readonly bool _learn;
        private readonly Action<SeekersPoint>? _progress;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly SeekerArena _arena;
        private readonly DqnLearner _learner;
        private readonly ThinkSystem _think;
        private readonly BrainHandle _handle;
        private readonly SeededRandom _exploration;
        private readonly SeekerActionValues[] _values;
        private readonly float[] _previous, _rewards;
        private readonly int[] _actions;
        private readonly List<SeekersPoint> _curve = new();
        private double _rewardSum, _lossSum;
        private long _reachedAtWindowStart, _collisionsAtWindowStart;
        private int _lossCount;

        public Session(SeekersSettings settings, Brain brain, bool learn, Action<SeekersPoint>? progress)
        {
            _settings = settings;
            _learn = learn;
            _progress = progress;
            int n = settings.Agents;
            _arena = new SeekerArena(n, settings.Targets, settings.Seed);
            _learner = new DqnLearner(brain, settings.Dqn, settings.Seed * 31 + 7);
            var registry = new BrainRegistry();
            _handle = registry.Register(brain);
            _think = new ThinkSystem(registry, rowsPerBrain: n, columnsPerTick: (n + settings.ChunkRows - 1) / settings.ChunkRows);
            _exploration = new SeededRandom(settings.Seed * 131 + 3);
            _values = new SeekerActionValues[n];
            _previous = new float[n * SeekerObservation.Size];
            _rewards = new float[n];
            _actions = new int[n];
        }

        public int Tick { get; private set; }

        public void FixedStep(in FixedTime time)
        {
            int tick = ++Tick, n = _settings.Agents, chunk = _settings.ChunkRows;
            _arena.ObservationFloats.CopyTo(_previous);
            for (int start = 0; start < n; start += chunk)                             // chunks in, one batched call out
            {
                int rows = Math.Min(chunk, n - start);
                _think.Submit(_handle, _arena.Observations.AsSpan(start, rows), _values.AsMemory(start, rows));
            }
            _think.Think();
            float epsilon = _learn ? _learner.Epsilon : 0f;
            for (int a = 0; a < n; a++)
            {
                _actions[a] = epsilon > 0f && _exploration.NextFloat() < epsilon
                    ? _exploration.NextInt(SeekerActionValues.Size)
                    : Metrics.ArgMax(MemoryMarshal.Cast<SeekerActionValues, float>(_values.AsSpan(a, 1)));
            }
            _arena.Step(_actions, _rewards);
            ReadOnlySpan<float> observations = _arena.ObservationFloats;
            for (int a = 0; a < n; a++)
            {
                _rewardSum += _rewards[a];
                if (_learn)
                {
                    _learner.Record(_previous.AsSpan(a * SeekerObservation.Size, SeekerObservation.Size), _actions[a], _rewards[a],
                        observations.Slice(a * SeekerObservation.Size, SeekerObservation.Size), terminal: false);
                }
            }
            if (_learn && _learner.ReadyToTrain)
            {
                for (int s = 0; s < _settings.GradientStepsPerTick; s++) { _lossSum += _learner.TrainStep(); _lossCount++; }   // the per-tick budget
                if (tick % _settings.TargetUpdateTicks == 0) _learner.UpdateTarget();
            }
            if (tick % _settings.WindowTicks == 0) CloseWindow(tick);
        }

        private void CloseWindow(int tick)
        {
            double agentTicks = (double)_settings.Agents * _settings.WindowTicks;
            var point = new SeekersPoint(tick, (float)(_rewardSum / agentTicks),
                (float)((_arena.Reached - _reachedAtWindowStart) * 1000.0 / agentTicks),
                (float)((_arena.Collisions - _collisionsAtWindowStart) / agentTicks),
                _lossCount > 0 ? (float)(_lossSum / _lossCount) : 0f);
            _curve.Add(point);
            _progress?.Invoke(point);
            _rewardSum = 0; _lossSum = 0; _lossCount = 0;
            _reachedAtWindowStart = _arena.Reached;
            _collisionsAtWindowStart = _arena.Collisions;
        }

        public SeekersResult Result() => new()
        {
            Curve = _curve, Seconds = _clock.Elapsed.TotalSeconds, Ticks = Tick, Arena = _arena, BrainCalls = _think.TotalBrainCalls,
        };

        public void Dispose() => _learner.Dispose();
    }
}
