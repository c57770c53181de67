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

    public static SeekersResult Train(SeekersSettings settings, Brain brain, bool learn = true, Action<SeekersPoint>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var arena = new SeekerArena(settings.Agents, settings.Targets, settings.Seed);
        using var learner = new DqnLearner(brain, settings.Dqn, settings.Seed * 31 + 7);
        int n = settings.Agents, chunk = settings.ChunkRows;
        var registry = new BrainRegistry();
        BrainHandle handle = registry.Register(brain);
        var think = new ThinkSystem(registry, rowsPerBrain: n, columnsPerTick: (n + chunk - 1) / chunk);
        var exploration = new SeededRandom(settings.Seed * 131 + 3);
        var values = new SeekerActionValues[n];
        float[] previous = new float[n * SeekerObservation.Size], rewards = new float[n];
        int[] actions = new int[n];
        var curve = new List<SeekersPoint>();
        double rewardSum = 0, lossSum = 0;
        long reachedAtWindowStart = 0, collisionsAtWindowStart = 0;
        int lossCount = 0;
        for (int tick = 1; tick <= settings.Ticks; tick++)
        {
            arena.ObservationFloats.CopyTo(previous);
            for (int start = 0; start < n; start += chunk)                             // chunks in, one batched call out
            {
                int rows = Math.Min(chunk, n - start);
                think.Submit(handle, arena.Observations.AsSpan(start, rows), values.AsMemory(start, rows));
            }
            think.Think();
            float epsilon = learn ? learner.Epsilon : 0f;
            for (int a = 0; a < n; a++)
            {
                actions[a] = epsilon > 0f && exploration.NextFloat() < epsilon
                    ? exploration.NextInt(SeekerActionValues.Size)
                    : Metrics.ArgMax(MemoryMarshal.Cast<SeekerActionValues, float>(values.AsSpan(a, 1)));
            }
            arena.Step(actions, rewards);
            ReadOnlySpan<float> observations = arena.ObservationFloats;
            for (int a = 0; a < n; a++)
            {
                rewardSum += rewards[a];
                if (learn)
                {
                    learner.Record(previous.AsSpan(a * SeekerObservation.Size, SeekerObservation.Size), actions[a], rewards[a],
                        observations.Slice(a * SeekerObservation.Size, SeekerObservation.Size), terminal: false);
                }
            }
            if (learn && learner.Replay.Count >= settings.Dqn.BatchSize)
            {
                for (int s = 0; s < settings.GradientStepsPerTick; s++) { lossSum += learner.TrainStep(); lossCount++; }
                if (tick % settings.TargetUpdateTicks == 0) learner.UpdateTarget();
            }
            if (tick % settings.WindowTicks == 0)
            {
                var point = new SeekersPoint(tick,
                    (float)(rewardSum / ((double)n * settings.WindowTicks)),
                    (float)((arena.Reached - reachedAtWindowStart) * 1000.0 / ((double)n * settings.WindowTicks)),
                    (float)((arena.Collisions - collisionsAtWindowStart) / ((double)n * settings.WindowTicks)),
                    lossCount > 0 ? (float)(lossSum / lossCount) : 0f);
                curve.Add(point);
                progress?.Invoke(point);
                rewardSum = 0; lossSum = 0; lossCount = 0;
                reachedAtWindowStart = arena.Reached;
                collisionsAtWindowStart = arena.Collisions;
            }
        }
        return new SeekersResult { Curve = curve, Seconds = clock.Elapsed.TotalSeconds, Ticks = settings.Ticks, Arena = arena, BrainCalls = think.TotalBrainCalls };
    }
}
