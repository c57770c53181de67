using System;
using System.Collections.Generic;
using System.Diagnostics;
using Cortex.Learning;

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
}

/// <summary>
/// Online DQN for a crowd: every tick all agents think in one batched call (ε-greedy on the shared
/// Q-network), every agent's transition goes into one replay buffer, and a fixed number of gradient
/// steps run per tick.
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
        int n = settings.Agents;
        float[] previous = new float[n * SeekerObservation.Size], values = new float[n * SeekerActionValues.Size], rewards = new float[n];
        int[] actions = new int[n];
        var curve = new List<SeekersPoint>();
        double rewardSum = 0, lossSum = 0;
        long reachedAtWindowStart = 0, collisionsAtWindowStart = 0;
        int lossCount = 0;
        for (int tick = 1; tick <= settings.Ticks; tick++)
        {
            ReadOnlySpan<float> observations = arena.ObservationFloats;
            observations.CopyTo(previous);
            learner.SelectActions(observations, values, actions, n, explore: learn);   // one batched call for the whole crowd
            arena.Step(actions, rewards);
            observations = arena.ObservationFloats;
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
        return new SeekersResult { Curve = curve, Seconds = clock.Elapsed.TotalSeconds, Ticks = settings.Ticks, Arena = arena };
    }
}
