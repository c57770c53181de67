using System;
using Cortex.Learning;
using Cortex.Realtime;

namespace Cortex.Samples.Agents;

/// <summary>Settings of a PPO cart-pole run (Stable-Baselines3 zoo's tuned CartPole-v1 PPO unless noted).</summary>
public sealed class CartPolePpoSettings
{
    public ulong Seed { get; set; } = 1;
    public int MaxEnvironmentSteps { get; set; } = 100_000;
    public int Environments { get; set; } = 8;
    public int EvaluateEvery { get; set; } = 2_048;
    public int EvaluationEpisodes { get; set; } = 100;
    public float SolvedReturn { get; set; } = 475f;
    public int Threads { get; set; } = 1;
    public int[] Hidden { get; set; } = { 64, 64 };
    public PpoOptions Ppo { get; set; } = new()
    {
        Gamma = 0.98f, Lambda = 0.8f, RolloutLength = 32, Epochs = 20, MinibatchSize = 256,
        LearningRate = 1e-3f, FinalLearningRate = 0f, ClipRange = 0.2f, FinalClipRange = 0f, AnnealSteps = 100_000,
        EntropyCoefficient = 0f, MaxGradientNorm = 0.5f,
    };
}

/// <summary>
/// PPO on CartPole-v1: <see cref="CartPolePpoSettings.Environments"/> cart-poles step side by side as
/// the agents of one <see cref="PpoLearner"/> (one batched policy call per fixed step). "Solved" is the
/// same criterion as the DQN run: 100 greedy evaluation episodes averaging ≥ 475, measured every
/// <see cref="CartPolePpoSettings.EvaluateEvery"/> environment steps (evaluation steps not counted).
/// </summary>
public static class CartPolePpo
{
    public static Brain CreateActor(CartPolePpoSettings settings) => CreateNetwork(settings, CartPole.ActionCount, settings.Seed);

    public static Brain CreateCritic(CartPolePpoSettings settings) => CreateNetwork(settings, 1, settings.Seed * 31 + 7);

    private static Brain CreateNetwork(CartPolePpoSettings settings, int outputs, ulong seed)
    {
        BrainBuilder builder = Brain.Create(CartPole.ObservationSize);
        foreach (int units in settings.Hidden) builder.Dense(units, Activation.Tanh);
        return builder.Dense(outputs, Activation.Linear)
            .Optimizer(Optimizer.Adam(settings.Ppo.LearningRate, epsilon: 1e-5f))
            .MaxBatch(Math.Max(settings.Ppo.MinibatchSize, settings.EvaluationEpisodes))
            .Threads(settings.Threads)
            .Build(seed);
    }

    /// <summary>The `cartpole --algo ppo` command: train (or evaluate a saved policy) and print the one-line verdict last.</summary>
    public static int Run(Options options, bool live)
    {
        var settings = new CartPolePpoSettings { Seed = options.Seed, Threads = options.Threads, EvaluationEpisodes = options.Episodes };
        if (options.Steps is int steps) settings.MaxEnvironmentSteps = steps;
        using Brain actor = BrainFiles.LoadOrCreate(options.LoadPath, () => CreateActor(settings), CartPole.ObservationSize, CartPole.ActionCount);
        if (options.Evaluate)
        {
            float average = CartPoleRun.Evaluate(actor, options.Episodes, seed: options.Seed * 1_000_003);
            Console.WriteLine($"cartpole: evaluation of {options.LoadPath}: average return {average:F1} over {options.Episodes} episodes");
            return 0;
        }
        using Brain critic = CreateCritic(settings);
        Console.WriteLine($"cartpole: PPO, {settings.Environments} environments, actor {actor.Spec}, seed {options.Seed}, at most {settings.MaxEnvironmentSteps} steps");
        CartPoleResult result = Progress.Run(live, "cartpole (PPO)", report => Train(settings, actor, critic, p => report(
            $"step {p.Step,6}  episode {p.Episode,4}  train avg100 {p.TrainingAverage100,6:F1}  eval avg100 {p.EvaluationAverage,6:F1}  value loss {p.Loss,8:F4}  clip {p.Epsilon:F3}  {p.StepsPerSecond,6:F0} steps/s",
            new[] { ("step", $"{p.Step}"), ("episode", $"{p.Episode}"), ("training avg100 (sampling)", $"{p.TrainingAverage100:F1}"),
                ("greedy eval avg100", $"{p.EvaluationAverage:F1}"), ("value loss", $"{p.Loss:F4}"), ("clip range", $"{p.Epsilon:F3}"), ("steps/s", $"{p.StepsPerSecond:F0}") })));
        Console.WriteLine($"learning curve: {Plots.CartPoleCurve(result, options.OutputDirectory, options.Seed, "PPO")}");
        if (options.SavePath is not null) Console.WriteLine($"saved: {BrainFiles.Save(actor, options.SavePath, $"cartpole PPO policy seed {options.Seed}")}");
        Console.WriteLine(result.Solved
            ? $"cartpole: solved at step {result.SolvedAtStep} (avg100 = {result.EvaluationAverage:F1}) in {result.Seconds:F1} s"
            : $"cartpole: not solved after {result.EnvironmentSteps} steps (avg100 = {result.EvaluationAverage:F1}) in {result.Seconds:F1} s");
        return result.Solved ? 0 : 1;
    }

    public static CartPoleResult Train(CartPolePpoSettings settings, Brain actor, Brain critic, Action<CartPoleProgress>? progress = null)
    {
        var session = new Session(settings, actor, critic, progress);
        var loop = new FixedStepLoop(CartPole.StepSeconds, maxStepsPerFrame: 16);
        while (!session.Finished) loop.Advance(16 * CartPole.StepSeconds, session);
        return session.Result();
    }

    /// <summary>One fixed step steps every environment once: act for all, step, record, evaluate now and then.</summary>
    private sealed class Session : IFixedStep
    {
        private readonly CartPolePpoSettings _settings;
        private readonly Brain _actor;
        private readonly Action<CartPoleProgress>? _progress;
        private readonly PpoLearner _learner;
        private readonly CartPole[] _envs;
        private readonly float[] _observations, _actions, _rewards, _final, _returns;
        private readonly bool[] _terminated, _truncated;
        private readonly CartPoleTally _tally = new();
        private long _step, _nextEvaluation;

        public Session(CartPolePpoSettings settings, Brain actor, Brain critic, Action<CartPoleProgress>? progress)
        {
            _settings = settings;
            _actor = actor;
            _progress = progress;
            int n = settings.Environments;
            _learner = new PpoLearner(actor, critic, ActionSpec.Discrete(CartPole.ActionCount), n, settings.Ppo, settings.Seed * 7919 + 1);
            _envs = new CartPole[n];
            _observations = new float[n * CartPole.ObservationSize];
            _final = new float[n * CartPole.ObservationSize];
            _actions = new float[n];
            _rewards = new float[n];
            _returns = new float[n];
            _terminated = new bool[n];
            _truncated = new bool[n];
            for (int e = 0; e < n; e++)
            {
                _envs[e] = new CartPole(settings.Seed * 1_000 + (ulong)e);
                _envs[e].Observe(_observations.AsSpan(e * CartPole.ObservationSize, CartPole.ObservationSize));
            }
            _nextEvaluation = settings.EvaluateEvery;
        }

        public bool Finished => _tally.SolvedAt > 0 || _step >= _settings.MaxEnvironmentSteps;

        public void FixedStep(in FixedTime time)
        {
            if (Finished) return;
            _learner.Act(_observations, _actions);
            for (int e = 0; e < _envs.Length; e++)
            {
                Span<float> observation = _observations.AsSpan(e * CartPole.ObservationSize, CartPole.ObservationSize);
                _rewards[e] = _envs[e].Step((int)_actions[e], out _terminated[e], out _truncated[e]);
                _returns[e] += _rewards[e];
                _envs[e].Observe(observation);
                if (!_terminated[e] && !_truncated[e]) continue;
                observation.CopyTo(_final.AsSpan(e * CartPole.ObservationSize));
                _tally.EndEpisode(_step + e + 1, _returns[e]);
                _returns[e] = 0;
                _envs[e].Reset();
                _envs[e].Observe(observation);
            }
            _learner.Record(_rewards, _terminated, _truncated, _final);
            _step += _envs.Length;
            if (_step >= _nextEvaluation)
            {
                _nextEvaluation += _settings.EvaluateEvery;
                _tally.Evaluated(_step, CartPoleRun.Evaluate(_actor, _settings.EvaluationEpisodes, seed: _settings.Seed * 1_000_003 + (ulong)_step), _settings.SolvedReturn);
                _progress?.Invoke(new CartPoleProgress(_step, _tally.Episodes, _tally.RecentAverage, _tally.LastEvaluation,
                    _learner.LastValueLoss, _learner.CurrentClipRange, _tally.StepsPerSecond(_step)));
            }
        }

        public CartPoleResult Result() => _tally.Result(_step);
    }
}
