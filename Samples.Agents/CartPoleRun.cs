using System;
using System.Collections.Generic;
using System.Diagnostics;
using Cortex.Learning;

namespace Cortex.Samples.Agents;

/// <summary>Settings of a cart-pole training run.</summary>
public sealed class CartPoleSettings
{
    public ulong Seed { get; set; } = 1;
    public int MaxEnvironmentSteps { get; set; } = 50_000;
    public int EvaluateEvery { get; set; } = 1_000;
    public int EvaluationEpisodes { get; set; } = 100;
    public float SolvedReturn { get; set; } = 475f;
    public int Threads { get; set; } = 1;
    public int[] Hidden { get; set; } = { 256, 256 };
    public float LearningRate { get; set; } = 2.3e-3f;
    public DqnOptions Dqn { get; set; } = new()
    {
        Gamma = 0.99f, BatchSize = 64, BufferCapacity = 100_000, LearningStarts = 1_000, TrainEvery = 256, GradientSteps = 128,
        TargetUpdateInterval = 10, Exploration = ExplorationSchedule.Linear(1f, 0.04f, 8_000),
    };
}

/// <summary>One point of the learning curve.</summary>
public readonly record struct CurvePoint(long Step, int Episode, float Return, float Average100);

/// <summary>The outcome of a run.</summary>
public sealed class CartPoleResult
{
    public bool Solved { get; init; }
    public long SolvedAtStep { get; init; }
    public float EvaluationAverage { get; init; }
    public float BestEvaluationAverage { get; init; }
    public long EnvironmentSteps { get; init; }
    public int Episodes { get; init; }
    public double Seconds { get; init; }
    public List<CurvePoint> TrainingCurve { get; init; } = new();
    public List<(long Step, float Average)> Evaluations { get; init; } = new();
}

/// <summary>
/// DQN on CartPole-v1. "Solved" is the standard criterion — average return ≥ 475 over 100 consecutive
/// episodes — measured on 100 greedy evaluation episodes run every <see cref="CartPoleSettings.EvaluateEvery"/>
/// training steps; evaluation steps are not counted as training steps.
/// </summary>
public static class CartPoleRun
{
    public static Brain CreateBrain(CartPoleSettings settings)
    {
        BrainBuilder builder = Brain.Create(CartPole.ObservationSize);
        foreach (int units in settings.Hidden) builder.Dense(units, Activation.Relu);
        return builder.Dense(CartPole.ActionCount, Activation.Linear)
            .Loss(Loss.Huber)
            .Optimizer(Optimizer.Adam(settings.LearningRate).WithGradientClipping(10f))
            .MaxBatch(Math.Max(settings.Dqn.BatchSize, settings.EvaluationEpisodes))
            .Threads(settings.Threads)
            .Build(settings.Seed);
    }

    public static CartPoleResult Train(CartPoleSettings settings, Brain brain, Action<CartPoleProgress>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        using var learner = new DqnLearner(brain, settings.Dqn, settings.Seed * 7919 + 1);
        var env = new CartPole(settings.Seed);
        float[] observation = new float[CartPole.ObservationSize], next = new float[CartPole.ObservationSize];
        var curve = new List<CurvePoint>();
        var evaluations = new List<(long, float)>();
        var recent = new Queue<float>();
        double recentSum = 0;
        int episode = 0;
        float episodeReturn = 0, best = 0, lastEvaluation = 0;
        long solvedAt = -1;
        env.Observe(observation);
        for (long step = 1; step <= settings.MaxEnvironmentSteps; step++)
        {
            int action = learner.SelectAction(observation, explore: true);
            float reward = env.Step(action, out bool terminated, out bool truncated);
            env.Observe(next);
            learner.Observe(observation, action, reward, next, terminated);
            episodeReturn += reward;
            next.AsSpan().CopyTo(observation);
            if (terminated || truncated)
            {
                episode++;
                recent.Enqueue(episodeReturn);
                recentSum += episodeReturn;
                if (recent.Count > 100) recentSum -= recent.Dequeue();
                curve.Add(new CurvePoint(step, episode, episodeReturn, (float)(recentSum / recent.Count)));
                episodeReturn = 0;
                env.Reset();
                env.Observe(observation);
            }
            if (step % settings.EvaluateEvery == 0 && step >= settings.Dqn.LearningStarts)
            {
                lastEvaluation = Evaluate(brain, settings.EvaluationEpisodes, seed: settings.Seed * 1_000_003 + (ulong)step);
                evaluations.Add((step, lastEvaluation));
                best = Math.Max(best, lastEvaluation);
                progress?.Invoke(new CartPoleProgress(step, episode, recent.Count > 0 ? (float)(recentSum / recent.Count) : 0f, lastEvaluation,
                    learner.LastLoss, learner.Epsilon, step / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
                if (lastEvaluation >= settings.SolvedReturn)
                {
                    solvedAt = step;
                    break;
                }
            }
        }
        return new CartPoleResult
        {
            Solved = solvedAt > 0, SolvedAtStep = solvedAt, EvaluationAverage = lastEvaluation, BestEvaluationAverage = best,
            EnvironmentSteps = learner.EnvironmentSteps, Episodes = episode, Seconds = clock.Elapsed.TotalSeconds,
            TrainingCurve = curve, Evaluations = evaluations,
        };
    }

    /// <summary>Average return of greedy episodes, all run side by side: one batched Predict per time step.</summary>
    public static float Evaluate(Brain brain, int episodes, ulong seed)
    {
        var envs = new CartPole[episodes];
        bool[] done = new bool[episodes];
        float[] returns = new float[episodes], observations = new float[episodes * CartPole.ObservationSize], values = new float[episodes * CartPole.ActionCount];
        int[] rows = new int[episodes];
        for (int i = 0; i < episodes; i++) envs[i] = new CartPole(seed + (ulong)i * 7_777);
        int alive = episodes;
        while (alive > 0)
        {
            int count = 0;
            for (int i = 0; i < episodes; i++)
            {
                if (done[i]) continue;
                envs[i].Observe(observations.AsSpan(count * CartPole.ObservationSize, CartPole.ObservationSize));
                rows[count++] = i;
            }
            brain.Predict(observations, values, count);
            for (int r = 0; r < count; r++)
            {
                int i = rows[r];
                returns[i] += envs[i].Step(Metrics.ArgMax(values.AsSpan(r * CartPole.ActionCount, CartPole.ActionCount)), out bool terminated, out bool truncated);
                if (terminated || truncated)
                {
                    done[i] = true;
                    alive--;
                }
            }
        }
        float sum = 0;
        foreach (float r in returns) sum += r;
        return sum / episodes;
    }
}

/// <summary>What a progress display shows.</summary>
public readonly record struct CartPoleProgress(long Step, int Episode, float TrainingAverage100, float EvaluationAverage, float Loss, float Epsilon, double StepsPerSecond);
