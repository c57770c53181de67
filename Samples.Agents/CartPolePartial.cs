using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Cortex.Learning;
using Cortex.Realtime;

namespace Cortex.Samples.Agents;

/// <summary>Settings of a partially observed cart-pole run (PPO with or without memory).</summary>
public sealed class CartPolePartialSettings
{
    public ulong Seed { get; set; } = 1;
    public bool Memory { get; set; } = true;
    public int MaxEnvironmentSteps { get; set; } = 500_000;
    public int Environments { get; set; } = 8;
    public int EvaluateEvery { get; set; } = 8_192;
    public int EvaluationEpisodes { get; set; } = 100;
    public float SolvedReturn { get; set; } = 475f;
    public int Threads { get; set; } = 1;
    public int MemoryUnits { get; set; } = 64;
    public int HeadUnits { get; set; } = 64;
    public PpoOptions Ppo { get; set; } = new()
    {
        Gamma = 0.98f, Lambda = 0.8f, RolloutLength = 32, Epochs = 20, MinibatchSize = 256, SequenceLength = 16, BurnIn = 8,
        LearningRate = 1e-3f, FinalLearningRate = 0f, ClipRange = 0.2f, FinalClipRange = 0f, AnnealSteps = 500_000,
        EntropyCoefficient = 0f, MaxGradientNorm = 0.5f,
    };
}

/// <summary>
/// CartPole-v1 seen through a keyhole: each agent observes only the cart position x and the pole angle θ (scaled by
/// their termination limits, 2.4 and 12°), never the velocities, so a policy must infer them from what it saw before.
/// With memory the actor and critic are GRU(64) → Dense(64, tanh) → linear brains trained by
/// <see cref="RecurrentPpoLearner"/>; without, the same PPO with Dense(64, tanh) ×2 brains (<see cref="PpoLearner"/>).
/// "Solved" is the cart-pole criterion: 100 greedy evaluation episodes averaging ≥ 475, measured every
/// <see cref="CartPolePartialSettings.EvaluateEvery"/> environment steps (evaluation steps not counted).
/// </summary>
public static class CartPolePartial
{
    public const int ObservationSize = 2;
    private const float XScale = 1f / 2.4f, ThetaScale = 360f / (12f * 2f * MathF.PI);

    /// <summary>Writes (x, θ) of the full observation, scaled to [−1, 1] within the limits.</summary>
    public static void Observe(CartPole cartPole, Span<float> observation)
    {
        Span<float> full = stackalloc float[CartPole.ObservationSize];
        cartPole.Observe(full);
        observation[0] = full[0] * XScale;
        observation[1] = full[2] * ThetaScale;
    }

    public static RecurrentBrain CreateRecurrent(CartPolePartialSettings settings, int outputs, ulong seed) =>
        Brain.Create(ObservationSize).Gru(settings.MemoryUnits)
            .Dense(settings.HeadUnits, Activation.Tanh)
            .Dense(outputs, Activation.Linear)
            .Optimizer(Optimizer.Adam(settings.Ppo.LearningRate, epsilon: 1e-5f))
            .MaxAgents(Math.Max(Math.Max(1, settings.Ppo.MinibatchSize / settings.Ppo.SequenceLength), settings.EvaluationEpisodes))
            .MaxSequence(settings.Ppo.BurnIn + settings.Ppo.SequenceLength)
            .Threads(settings.Threads)
            .Build(seed);

    public static Brain CreateFeedForward(CartPolePartialSettings settings, int outputs, ulong seed) =>
        Brain.Create(ObservationSize)
            .Dense(settings.HeadUnits, Activation.Tanh)
            .Dense(settings.HeadUnits, Activation.Tanh)
            .Dense(outputs, Activation.Linear)
            .Optimizer(Optimizer.Adam(settings.Ppo.LearningRate, epsilon: 1e-5f))
            .MaxBatch(Math.Max(settings.Ppo.MinibatchSize, settings.EvaluationEpisodes))
            .Threads(settings.Threads)
            .Build(seed);

    /// <summary>The `cartpole --partial --algo ppo` command: train, write the curves, print the one-line verdict last.</summary>
    public static int Run(Options options, bool live)
    {
        var settings = new CartPolePartialSettings { Seed = options.Seed, Threads = options.Threads, EvaluationEpisodes = options.Episodes, Memory = !options.NoMemory };
        if (options.Steps is int steps) settings.MaxEnvironmentSteps = steps;
        string kind = settings.Memory ? "recurrent PPO, GRU(64) actor and critic" : "feed-forward PPO (no memory)";
        Console.WriteLine($"cartpole: partial observation (x, θ), {kind}, {settings.Environments} environments, seed {options.Seed}, at most {settings.MaxEnvironmentSteps} steps");
        CartPoleResult result = Progress.Run(live, settings.Memory ? "cartpole --partial (recurrent PPO)" : "cartpole --partial (PPO, no memory)", report => Train(settings, p => report(
            $"step {p.Step,6}  episode {p.Episode,5}  train avg100 {p.TrainingAverage100,6:F1}  eval avg100 {p.EvaluationAverage,6:F1}  value loss {p.Loss,8:F4}  {p.StepsPerSecond,6:F0} steps/s",
            new[] { ("step", $"{p.Step}"), ("episode", $"{p.Episode}"), ("training avg100 (sampling)", $"{p.TrainingAverage100:F1}"),
                ("greedy eval avg100", $"{p.EvaluationAverage:F1}"), ("value loss", $"{p.Loss:F4}"), ("steps/s", $"{p.StepsPerSecond:F0}") })));
        Console.WriteLine($"learning curve: {SamplePaths.Write("learning curve", () => WriteCurves(result, settings, options.OutputDirectory))}");
        Console.WriteLine(result.Solved
            ? $"cartpole: solved at step {result.SolvedAtStep} (avg100 = {result.EvaluationAverage:F1}) in {result.Seconds:F1} s"
            : $"cartpole: not solved after {result.EnvironmentSteps} steps (avg100 = {result.EvaluationAverage:F1}) in {result.Seconds:F1} s");
        return result.Solved ? 0 : 1;
    }

    /// <summary>Trains until solved or out of steps.</summary>
    public static CartPoleResult Train(CartPolePartialSettings settings, Action<CartPoleProgress>? progress = null)
    {
        using var session = new Session(settings, progress);
        var loop = new FixedStepLoop(CartPole.StepSeconds, maxStepsPerFrame: 16);
        while (!session.Finished) loop.Advance(16 * CartPole.StepSeconds, session);
        return session.Result();
    }

    /// <summary>
    /// Writes this run's greedy evaluations as <c>cartpole-partial-{memory|no-memory}-seed{N}.csv</c> in
    /// <paramref name="directory"/>, then redraws <c>cartpole-partial.png</c> from every such file there: one line
    /// per run, with memory in blue and without in red. Returns the PNG's path.
    /// </summary>
    public static string WriteCurves(CartPoleResult result, CartPolePartialSettings settings, string directory)
    {
        Directory.CreateDirectory(directory);
        string name = $"cartpole-partial-{(settings.Memory ? "memory" : "no-memory")}-seed{settings.Seed}.csv";
        using (var writer = new StreamWriter(Path.Combine(directory, name)))
        {
            writer.WriteLine("step,greedy_avg100");
            foreach ((long step, float average) in result.Evaluations) writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step},{average:F1}"));
        }
        var runs = new List<(string Label, bool Memory, double[] Steps, double[] Averages)>();
        foreach (string file in Directory.GetFiles(directory, "cartpole-partial-*-seed*.csv").OrderBy(f => f, StringComparer.Ordinal))
        {
            string label = Path.GetFileNameWithoutExtension(file).Substring("cartpole-partial-".Length);
            var rows = File.ReadAllLines(file).Skip(1).Select(l => l.Split(',')).Where(p => p.Length == 2).ToArray();
            runs.Add((label, !label.StartsWith("no-memory", StringComparison.Ordinal),
                rows.Select(p => double.Parse(p[0], CultureInfo.InvariantCulture)).ToArray(), rows.Select(p => double.Parse(p[1], CultureInfo.InvariantCulture)).ToArray()));
        }
        return Plots.CartPolePartialCurves(runs, directory);
    }

    /// <summary>One fixed step steps every environment once: act for all, step, record, evaluate now and then.</summary>
    private sealed class Session : IFixedStep, IDisposable
    {
        private readonly CartPolePartialSettings _settings;
        private readonly Action<CartPoleProgress>? _progress;
        private readonly RecurrentBrain? _recurrentActor, _recurrentCritic;
        private readonly Brain? _actor, _critic;
        private readonly RecurrentPpoLearner? _memory;
        private readonly PpoLearner? _feedForward;
        private readonly CartPole[] _envs;
        private readonly float[] _observations, _actions, _rewards, _final, _returns;
        private readonly bool[] _terminated, _truncated;
        private readonly CartPoleTally _tally = new();
        private long _step, _nextEvaluation;

        public Session(CartPolePartialSettings settings, Action<CartPoleProgress>? progress)
        {
            _settings = settings;
            _progress = progress;
            int n = settings.Environments;
            var actions = ActionSpec.Discrete(CartPole.ActionCount);
            ulong learnerSeed = settings.Seed * 7919 + 1;
            if (settings.Memory)
            {
                _recurrentActor = CreateRecurrent(settings, CartPole.ActionCount, settings.Seed);
                _recurrentCritic = CreateRecurrent(settings, 1, settings.Seed * 31 + 7);
                _memory = new RecurrentPpoLearner(_recurrentActor, _recurrentCritic, actions, n, settings.Ppo, learnerSeed);
            }
            else
            {
                _actor = CreateFeedForward(settings, CartPole.ActionCount, settings.Seed);
                _critic = CreateFeedForward(settings, 1, settings.Seed * 31 + 7);
                _feedForward = new PpoLearner(_actor, _critic, actions, n, settings.Ppo, learnerSeed);
            }
            _envs = new CartPole[n];
            _observations = new float[n * ObservationSize];
            _final = new float[n * ObservationSize];
            _actions = new float[n];
            _rewards = new float[n];
            _returns = new float[n];
            _terminated = new bool[n];
            _truncated = new bool[n];
            for (int e = 0; e < n; e++)
            {
                _envs[e] = new CartPole(settings.Seed * 1_000 + (ulong)e);
                Observe(_envs[e], _observations.AsSpan(e * ObservationSize, ObservationSize));
            }
            _nextEvaluation = settings.EvaluateEvery;
        }

        public bool Finished => _tally.SolvedAt > 0 || _step >= _settings.MaxEnvironmentSteps;

        public void FixedStep(in FixedTime time)
        {
            if (Finished) return;
            if (_memory is not null) _memory.Act(_observations, _actions);
            else _feedForward!.Act(_observations, _actions);
            for (int e = 0; e < _envs.Length; e++)
            {
                Span<float> observation = _observations.AsSpan(e * ObservationSize, ObservationSize);
                _rewards[e] = _envs[e].Step((int)_actions[e], out _terminated[e], out _truncated[e]);
                _returns[e] += _rewards[e];
                Observe(_envs[e], observation);
                if (!_terminated[e] && !_truncated[e]) continue;
                observation.CopyTo(_final.AsSpan(e * ObservationSize));
                _tally.EndEpisode(_step + e + 1, _returns[e]);
                _returns[e] = 0;
                _envs[e].Reset();
                Observe(_envs[e], observation);
            }
            if (_memory is not null) _memory.Record(_rewards, _terminated, _truncated, _final);
            else _feedForward!.Record(_rewards, _terminated, _truncated, _final);
            _step += _envs.Length;
            if (_step < _nextEvaluation) return;
            _nextEvaluation += _settings.EvaluateEvery;
            ulong seed = _settings.Seed * 1_000_003 + (ulong)_step;
            _tally.Evaluated(_step, _recurrentActor is not null ? Evaluate(_recurrentActor, _settings.EvaluationEpisodes, seed) : Evaluate(_actor!, _settings.EvaluationEpisodes, seed),
                _settings.SolvedReturn);
            float valueLoss = _memory?.LastValueLoss ?? _feedForward!.LastValueLoss;
            _progress?.Invoke(new CartPoleProgress(_step, _tally.Episodes, _tally.RecentAverage, _tally.LastEvaluation,
                valueLoss, 0f, _tally.StepsPerSecond(_step)));
        }

        public CartPoleResult Result() => _tally.Result(_step);

        public void Dispose()
        {
            _recurrentActor?.Dispose();
            _recurrentCritic?.Dispose();
            _actor?.Dispose();
            _critic?.Dispose();
        }
    }

    /// <summary>Average return of greedy episodes with memory, all side by side: one Think per time step, each episode from a cleared state.</summary>
    public static float Evaluate(RecurrentBrain actor, int episodes, ulong seed)
    {
        var envs = new CartPole[episodes];
        bool[] done = new bool[episodes];
        float[] returns = new float[episodes], observations = new float[episodes * ObservationSize], logits = new float[episodes * CartPole.ActionCount];
        float[] state = new float[episodes * actor.StateWidth];
        for (int i = 0; i < episodes; i++) envs[i] = new CartPole(seed + (ulong)i * 7_777);
        for (int alive = episodes; alive > 0;)
        {
            for (int i = 0; i < episodes; i++) if (!done[i]) Observe(envs[i], observations.AsSpan(i * ObservationSize, ObservationSize));
            actor.Think(observations, state, logits, episodes);                  // finished rows think on unused
            for (int i = 0; i < episodes; i++)
            {
                if (done[i]) continue;
                returns[i] += envs[i].Step(Metrics.ArgMax(logits.AsSpan(i * CartPole.ActionCount, CartPole.ActionCount)), out bool terminated, out bool truncated);
                if (!terminated && !truncated) continue;
                done[i] = true;
                alive--;
            }
        }
        return returns.Sum() / episodes;
    }

    /// <summary>Average return of greedy feed-forward episodes on the partial observation.</summary>
    public static float Evaluate(Brain actor, int episodes, ulong seed)
    {
        var envs = new CartPole[episodes];
        bool[] done = new bool[episodes];
        float[] returns = new float[episodes], observations = new float[episodes * ObservationSize], logits = new float[episodes * CartPole.ActionCount];
        for (int i = 0; i < episodes; i++) envs[i] = new CartPole(seed + (ulong)i * 7_777);
        for (int alive = episodes; alive > 0;)
        {
            for (int i = 0; i < episodes; i++) if (!done[i]) Observe(envs[i], observations.AsSpan(i * ObservationSize, ObservationSize));
            actor.Predict(observations, logits, episodes);
            for (int i = 0; i < episodes; i++)
            {
                if (done[i]) continue;
                returns[i] += envs[i].Step(Metrics.ArgMax(logits.AsSpan(i * CartPole.ActionCount, CartPole.ActionCount)), out bool terminated, out bool truncated);
                if (!terminated && !truncated) continue;
                done[i] = true;
                alive--;
            }
        }
        return returns.Sum() / episodes;
    }
}
