using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Cortex.Learning;
using Cortex.Realtime;
using ScottPlot;

namespace Cortex.Samples.Agents;

/// <summary>Settings of a SAC pendulum run (Stable-Baselines3 zoo's Pendulum-v1 SAC, with smaller networks for a 2-core machine).</summary>
public sealed class PendulumSacSettings
{
    public ulong Seed { get; set; } = 1;
    public int MaxEnvironmentSteps { get; set; } = 20_000;
    public float SolvedReturn { get; set; } = -200f;
    public int Threads { get; set; } = 1;
    public int[] Hidden { get; set; } = { 64, 64 };
    public float LearningRate { get; set; } = 1e-3f;
    public SacOptions Sac { get; set; } = new() { BatchSize = 256, BufferCapacity = 20_000, LearningStarts = 100, Tau = 0.005f, Gamma = 0.99f, TemperatureLearningRate = 1e-3f };
}

/// <summary>The outcome of a pendulum run.</summary>
public sealed class PendulumResult
{
    public bool Solved { get; init; }
    public long SolvedAtStep { get; init; }
    public float Average10 { get; init; }
    public long EnvironmentSteps { get; init; }
    public double Seconds { get; init; }
    public List<CurvePoint> Curve { get; init; } = new();
}

/// <summary>
/// SAC on Pendulum-v1, one environment, one gradient step per environment step. "Solved" is the
/// mean return of the last 10 (exploring) training episodes reaching −200.
/// </summary>
public static class PendulumSac
{
    public static Brain CreateActor(PendulumSacSettings s) => Network(s, Pendulum.ObservationSize, 2 * Pendulum.ActionSize, s.Seed);

    public static Brain CreateCritic(PendulumSacSettings s, int index) => Network(s, Pendulum.ObservationSize + Pendulum.ActionSize, 1, s.Seed * 97 + (ulong)index);

    private static Brain Network(PendulumSacSettings s, int inputs, int outputs, ulong seed)
    {
        BrainBuilder builder = Brain.Create(inputs);
        foreach (int units in s.Hidden) builder.Dense(units, Activation.Relu);
        return builder.Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(s.LearningRate)).MaxBatch(Math.Max(s.Sac.BatchSize, 16)).Threads(s.Threads).Build(seed);
    }

    public static PendulumResult Train(PendulumSacSettings settings, Brain actor, Brain critic1, Brain critic2, Action<(long Step, int Episode, float Average10, float Temperature, float CriticLoss, double StepsPerSecond)>? progress = null)
    {
        using var session = new Session(settings, actor, critic1, critic2, progress);
        var loop = new FixedStepLoop(Pendulum.StepSeconds, maxStepsPerFrame: 20);
        while (!session.Finished) loop.Advance(20 * Pendulum.StepSeconds, session);
        return session.Result();
    }

    private sealed class Session : IFixedStep, IDisposable
    {
        private readonly PendulumSacSettings _settings;
        private readonly SacLearner _learner;
        private readonly Pendulum _env;
        private readonly Action<(long, int, float, float, float, double)>? _progress;
        private readonly float[] _observation = new float[Pendulum.ObservationSize], _next = new float[Pendulum.ObservationSize], _action = new float[1], _reward = new float[1];
        private readonly bool[] _terminated = new bool[1];
        private readonly List<CurvePoint> _curve = new();
        private readonly Queue<float> _recent = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private float _episodeReturn;
        private int _episode;
        private long _step, _solvedAt = -1;

        public Session(PendulumSacSettings settings, Brain actor, Brain critic1, Brain critic2, Action<(long, int, float, float, float, double)>? progress)
        {
            _settings = settings;
            _progress = progress;
            _learner = new SacLearner(actor, critic1, critic2, 1, settings.Sac, settings.Seed * 7919 + 3);
            _env = new Pendulum(settings.Seed);
            _env.Observe(_observation);
        }

        public bool Finished => _solvedAt > 0 || _step >= _settings.MaxEnvironmentSteps;

        public float Average10 => _recent.Count == 0 ? float.NegativeInfinity : _recent.Average();

        public void FixedStep(in FixedTime time)
        {
            if (Finished) return;
            _learner.Act(_observation, _action);
            _reward[0] = _env.Step(_action[0] * Pendulum.MaxTorque, out bool truncated);
            _env.Observe(_next);
            _learner.Record(_reward, _next, _terminated);   // Pendulum never terminates; truncation bootstraps
            _episodeReturn += _reward[0];
            _step++;
            _next.AsSpan().CopyTo(_observation);
            if (!truncated) return;
            _episode++;
            _recent.Enqueue(_episodeReturn);
            if (_recent.Count > 10) _recent.Dequeue();
            float average = Average10;
            _curve.Add(new CurvePoint(_step, _episode, _episodeReturn, average));
            _episodeReturn = 0;
            _env.Reset();
            _env.Observe(_observation);
            _progress?.Invoke((_step, _episode, average, _learner.Temperature, _learner.LastCriticLoss, _step / Math.Max(1e-9, _clock.Elapsed.TotalSeconds)));
            if (_recent.Count == 10 && average >= _settings.SolvedReturn) _solvedAt = _step;
        }

        public PendulumResult Result() => new()
        {
            Solved = _solvedAt > 0, SolvedAtStep = _solvedAt, Average10 = _recent.Count == 0 ? float.NaN : Average10, EnvironmentSteps = _step,
            Seconds = _clock.Elapsed.TotalSeconds, Curve = _curve,
        };

        public void Dispose() => _learner.Dispose();
    }

    /// <summary>Mean return of deterministic (tanh of the mean) episodes.</summary>
    public static float Evaluate(Brain actor, int episodes, ulong seed)
    {
        float[] observation = new float[Pendulum.ObservationSize], output = new float[actor.Outputs];
        double total = 0;
        for (int e = 0; e < episodes; e++)
        {
            var env = new Pendulum(seed + (ulong)e * 7_777);
            bool truncated = false;
            while (!truncated)
            {
                env.Observe(observation);
                actor.Predict(observation, output, 1);
                total += env.Step(MathF.Tanh(output[0]) * Pendulum.MaxTorque, out truncated);
            }
        }
        return (float)(total / episodes);
    }

    /// <summary>The `pendulum --algo sac` command.</summary>
    public static int Run(Options options, bool live)
    {
        var settings = new PendulumSacSettings { Seed = options.Seed, Threads = options.Threads };
        if (options.Steps is int steps) settings.MaxEnvironmentSteps = steps;
        using Brain actor = BrainFiles.LoadOrCreate(options.LoadPath, () => CreateActor(settings), Pendulum.ObservationSize, 2 * Pendulum.ActionSize);
        if (options.Evaluate)
        {
            float average = Evaluate(actor, Math.Min(options.Episodes, 100), options.Seed * 1_000_003);
            Console.WriteLine($"pendulum: evaluation of {options.LoadPath}: average return {average:F1} over {Math.Min(options.Episodes, 100)} episodes");
            return 0;
        }
        using Brain critic1 = CreateCritic(settings, 1);
        using Brain critic2 = CreateCritic(settings, 2);
        Console.WriteLine($"pendulum: SAC, actor {actor.Spec}, seed {options.Seed}, at most {settings.MaxEnvironmentSteps} steps");
        PendulumResult result = Progress.Run(live, "pendulum (SAC)", report => Train(settings, actor, critic1, critic2, p => report(
            $"step {p.Step,6}  episode {p.Episode,4}  avg10 {p.Average10,8:F1}  α {p.Temperature:F4}  critic loss {p.CriticLoss,8:F3}  {p.StepsPerSecond,6:F0} steps/s",
            new[] { ("step", $"{p.Step}"), ("episode", $"{p.Episode}"), ("avg10 (training episodes)", $"{p.Average10:F1}"), ("temperature α", $"{p.Temperature:F4}"),
                ("critic loss", $"{p.CriticLoss:F3}"), ("steps/s", $"{p.StepsPerSecond:F0}") })));
        Console.WriteLine($"learning curve: {Curve(result, options.OutputDirectory, options.Seed, "SAC")}");
        if (options.SavePath is not null) Console.WriteLine($"saved: {BrainFiles.Save(actor, options.SavePath, $"pendulum SAC policy seed {options.Seed}")}");
        Console.WriteLine(result.Solved
            ? $"pendulum: solved at step {result.SolvedAtStep} (avg10 = {result.Average10:F1}) in {result.Seconds:F1} s"
            : $"pendulum: not solved after {result.EnvironmentSteps} steps (avg10 = {result.Average10:F1}) in {result.Seconds:F1} s");
        return result.Solved ? 0 : 1;
    }

    public static string Curve(PendulumResult result, string directory, ulong seed, string algorithm)
    {
        var plot = new Plot();
        if (result.Curve.Count > 0)
        {
            double[] steps = result.Curve.Select(p => (double)p.Step).ToArray();
            var episodes = plot.Add.Scatter(steps, result.Curve.Select(p => (double)p.Return).ToArray());
            episodes.LineWidth = 0;
            episodes.MarkerSize = 4;
            episodes.Color = Colors.Gray.WithAlpha(0.6);
            episodes.LegendText = "training episode return";
            var average = plot.Add.Scatter(steps, result.Curve.Select(p => (double)p.Average100).ToArray());
            average.MarkerSize = 0;
            average.LineWidth = 2;
            average.Color = Colors.Blue;
            average.LegendText = "average of the last 10 episodes";
        }
        var solved = plot.Add.HorizontalLine(-200);
        solved.LinePattern = LinePattern.Dashed;
        solved.Color = Colors.Green;
        solved.LegendText = "solved (−200)";
        plot.Title(result.Solved ? $"Pendulum-v1, {algorithm}, seed {seed}: solved at step {result.SolvedAtStep}" : $"Pendulum-v1, {algorithm}, seed {seed}: not solved");
        plot.XLabel("environment steps");
        plot.YLabel("return");
        plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(directory);
        string path = Path.GetFullPath(Path.Combine(directory, $"pendulum-{algorithm.ToLowerInvariant()}-seed{seed}.png"));
        plot.SavePng(path, 900, 560);
        return path;
    }
}
