using System;
using System.Collections.Generic;
using Cortex.Learning;
using Cortex.Realtime;

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
        using var session = new Session(settings, brain, progress);
        // The simulation runs at the task's own 50 Hz (τ = 0.02 s) in a fixed-step loop; headless, each
        // "frame" simply advances by a few steps' worth of time.
        var loop = new FixedStepLoop(CartPole.StepSeconds, maxStepsPerFrame: 16);
        while (!session.Finished) loop.Advance(16 * CartPole.StepSeconds, session);
        return session.Result();
    }

    /// <summary>One training run as a fixed step: act, step the world, learn, evaluate now and then.</summary>
    private sealed class Session : IFixedStep, IDisposable
    {
        private readonly CartPoleSettings _settings;
        private readonly Brain _brain;
        private readonly Action<CartPoleProgress>? _progress;
        private readonly DqnLearner _learner;
        private readonly CartPole _env;
        private readonly float[] _observation = new float[CartPole.ObservationSize], _next = new float[CartPole.ObservationSize];
        private readonly CartPoleTally _tally = new();
        private float _episodeReturn;
        private long _step;

        public Session(CartPoleSettings settings, Brain brain, Action<CartPoleProgress>? progress)
        {
            _settings = settings;
            _brain = brain;
            _progress = progress;
            _learner = new DqnLearner(brain, settings.Dqn, settings.Seed * 7919 + 1);
            _env = new CartPole(settings.Seed);
            _env.Observe(_observation);
        }

        public bool Finished => _tally.SolvedAt > 0 || _step >= _settings.MaxEnvironmentSteps;

        public void FixedStep(in FixedTime time)
        {
            if (Finished) return;
            long step = ++_step;
            int action = _learner.SelectAction(_observation, explore: true);
            float reward = _env.Step(action, out bool terminated, out bool truncated);
            _env.Observe(_next);
            _learner.Observe(_observation, action, reward, _next, terminated);   // truncation is not terminal
            _episodeReturn += reward;
            _next.AsSpan().CopyTo(_observation);
            if (terminated || truncated)
            {
                _tally.EndEpisode(step, _episodeReturn);
                _episodeReturn = 0;
                _env.Reset();
                _env.Observe(_observation);
            }
            if (step % _settings.EvaluateEvery == 0 && step >= _settings.Dqn.LearningStarts)
            {
                _tally.Evaluated(step, Evaluate(_brain, _settings.EvaluationEpisodes, seed: _settings.Seed * 1_000_003 + (ulong)step), _settings.SolvedReturn);
                _progress?.Invoke(new CartPoleProgress(step, _tally.Episodes, _tally.RecentAverage, _tally.LastEvaluation,
                    _learner.LastLoss, _learner.Epsilon, _tally.StepsPerSecond(step)));
            }
        }

        public CartPoleResult Result() => _tally.Result(_learner.EnvironmentSteps);

        public void Dispose() => _learner.Dispose();
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
