using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Cortex.Learning;
using Cortex.Realtime;

namespace Cortex.Samples.Agents;

/// <summary>Settings of a PPO pendulum run (close to Stable-Baselines3 zoo's Pendulum-v1 PPO, without gSDE).</summary>
public sealed class PendulumPpoSettings
{
    public ulong Seed { get; set; } = 1;
    public int MaxEnvironmentSteps { get; set; } = 300_000;
    public int Environments { get; set; } = 8;
    public float SolvedReturn { get; set; } = -250f;
    public float RewardScale { get; set; } = 0.1f;
    public int Threads { get; set; } = 1;
    public int[] Hidden { get; set; } = { 64, 64 };
    public PpoOptions Ppo { get; set; } = new()
    {
        Gamma = 0.9f, Lambda = 0.95f, RolloutLength = 256, Epochs = 10, MinibatchSize = 256,
        LearningRate = 1e-3f, FinalLearningRate = 1e-4f, AnnealSteps = 300_000, ClipRange = 0.2f, FinalClipRange = 0.2f,
        EntropyCoefficient = 0f, MaxGradientNorm = 0.5f, InitialLogStd = -0.5f,
    };
}

/// <summary>
/// PPO on Pendulum-v1 with <see cref="PendulumPpoSettings.Environments"/> pendulums as the agents of one
/// learner; rewards are scaled for learning (returns are reported unscaled). "Solved" here is the
/// issue's PPO mark: the mean return of the last 10 training episodes ≥ −250.
/// </summary>
public static class PendulumPpo
{
    public static int Run(Options options, bool live)
    {
        var s = new PendulumPpoSettings { Seed = options.Seed, Threads = options.Threads };
        if (options.Steps is int steps) s.MaxEnvironmentSteps = steps;
        using Brain actor = BrainFiles.LoadOrCreate(options.LoadPath, () => Network(s, Pendulum.ActionSize, s.Seed), Pendulum.ObservationSize, Pendulum.ActionSize);
        if (options.Evaluate)
        {
            float average = Evaluate(actor, Math.Min(options.Episodes, 100), options.Seed * 1_000_003);
            Console.WriteLine($"pendulum: evaluation of {options.LoadPath}: average return {average:F1} over {Math.Min(options.Episodes, 100)} episodes");
            return 0;
        }
        using Brain critic = Network(s, 1, s.Seed * 31 + 7);
        Console.WriteLine($"pendulum: PPO, {s.Environments} environments, actor {actor.Spec}, seed {options.Seed}, at most {s.MaxEnvironmentSteps} steps");
        PendulumResult result = Progress.Run(live, "pendulum (PPO)", report => Train(s, actor, critic, p => report(
            $"step {p.Step,7}  episode {p.Episode,5}  avg10 {p.Average10,8:F1}  σ {p.Sigma:F3}  {p.StepsPerSecond,6:F0} steps/s",
            new[] { ("step", $"{p.Step}"), ("episode", $"{p.Episode}"), ("avg10 (training episodes)", $"{p.Average10:F1}"), ("σ", $"{p.Sigma:F3}"), ("steps/s", $"{p.StepsPerSecond:F0}") })));
        Console.WriteLine($"learning curve: {PendulumSac.Curve(result, options.OutputDirectory, options.Seed, "PPO")}");
        if (options.SavePath is not null) Console.WriteLine($"saved: {BrainFiles.Save(actor, options.SavePath, $"pendulum PPO policy seed {options.Seed}")}");
        Console.WriteLine(result.Solved
            ? $"pendulum: solved at step {result.SolvedAtStep} (avg10 = {result.Average10:F1}) in {result.Seconds:F1} s"
            : $"pendulum: not solved after {result.EnvironmentSteps} steps (avg10 = {result.Average10:F1}) in {result.Seconds:F1} s");
        return result.Solved ? 0 : 1;
    }

    private static Brain Network(PendulumPpoSettings s, int outputs, ulong seed)
    {
        BrainBuilder builder = Brain.Create(Pendulum.ObservationSize);
        foreach (int units in s.Hidden) builder.Dense(units, Activation.Tanh);
        return builder.Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(s.Ppo.LearningRate, epsilon: 1e-5f)).MaxBatch(s.Ppo.MinibatchSize).Threads(s.Threads).Build(seed);
    }

    public static PendulumResult Train(PendulumPpoSettings s, Brain actor, Brain critic, Action<(long Step, int Episode, float Average10, float Sigma, double StepsPerSecond)>? progress)
    {
        int n = s.Environments;
        var learner = new PpoLearner(actor, critic, ActionSpec.Continuous(1), n, s.Ppo, s.Seed * 7919 + 5);
        var envs = new Pendulum[n];
        float[] observations = new float[n * 3], final = new float[n * 3], actions = new float[n], rewards = new float[n], returns = new float[n];
        bool[] terminated = new bool[n], truncated = new bool[n];
        for (int e = 0; e < n; e++) { envs[e] = new Pendulum(s.Seed * 1_000 + (ulong)e); envs[e].Observe(observations.AsSpan(e * 3, 3)); }
        var recent = new Queue<float>();
        var curve = new List<CurvePoint>();
        var clock = Stopwatch.StartNew();
        long step = 0, solvedAt = -1;
        int episode = 0;
        var loop = new FixedStepLoop(Pendulum.StepSeconds, maxStepsPerFrame: 20);
        var tick = new Tick(() =>
        {
            learner.Act(observations, actions);
            for (int e = 0; e < n; e++)
            {
                Span<float> o = observations.AsSpan(e * 3, 3);
                float r = envs[e].Step(actions[e] * Pendulum.MaxTorque, out truncated[e]);
                rewards[e] = r * s.RewardScale;
                returns[e] += r;
                envs[e].Observe(o);
                if (!truncated[e]) continue;
                o.CopyTo(final.AsSpan(e * 3));
                episode++;
                recent.Enqueue(returns[e]);
                if (recent.Count > 10) recent.Dequeue();
                curve.Add(new CurvePoint(step + e + 1, episode, returns[e], recent.Average()));
                returns[e] = 0;
                envs[e].Reset();
                envs[e].Observe(o);
                if (episode % 40 == 0) progress?.Invoke((step, episode, recent.Average(), MathF.Exp(learner.LogStd[0]), step / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
            }
            learner.Record(rewards, terminated, truncated, final);
            step += n;
            if (recent.Count == 10 && recent.Average() >= s.SolvedReturn && solvedAt < 0) solvedAt = step;   // judged after every pendulum has stepped
        });
        while (solvedAt < 0 && step < s.MaxEnvironmentSteps) loop.Advance(20 * Pendulum.StepSeconds, tick);
        return new PendulumResult
        {
            Solved = solvedAt > 0, SolvedAtStep = solvedAt, Average10 = recent.Count == 0 ? float.NaN : recent.Average(), EnvironmentSteps = step,
            Seconds = clock.Elapsed.TotalSeconds, Curve = curve,
        };
    }

    /// <summary>Mean return of deterministic (mean action) episodes.</summary>
    public static float Evaluate(Brain actor, int episodes, ulong seed)
    {
        float[] observation = new float[3], output = new float[1];
        double total = 0;
        for (int e = 0; e < episodes; e++)
        {
            var env = new Pendulum(seed + (ulong)e * 7_777);
            bool truncated = false;
            while (!truncated)
            {
                env.Observe(observation);
                actor.Predict(observation, output, 1);
                total += env.Step(Math.Max(-1f, Math.Min(1f, output[0])) * Pendulum.MaxTorque, out truncated);
            }
        }
        return (float)(total / episodes);
    }

    private sealed class Tick : IFixedStep
    {
        private readonly Action _step;
        public Tick(Action step) => _step = step;
        public void FixedStep(in FixedTime time) => _step();
    }
}
