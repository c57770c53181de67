using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Cortex.Learning;

namespace Cortex.Samples.Agents;

/// <summary>
/// Imitation from recorded play on CartPole-v1: a hand-written controller (a linear state-feedback
/// rule) plays 50 episodes while a <see cref="DemonstrationRecorder"/> records them; the demonstration
/// is saved and loaded back as a file; behaviour cloning trains a policy network on a worker thread;
/// then PPO fine-tunes from the clone and, for comparison, from scratch.
/// </summary>
public static class Imitate
{
    public const int ExpertEpisodes = 50;
    public const double TrainingBudgetSeconds = 10;

    /// <summary>The scripted expert: push toward where the pole is falling, with a little cart-position feedback.</summary>
    public static int Expert(ReadOnlySpan<float> s) => 0.1f * s[0] + 0.5f * s[1] + 10f * s[2] + 2f * s[3] > 0f ? 1 : 0;

    public static Demonstration Record(ulong seed, int episodes)
    {
        var recorder = new DemonstrationRecorder(CartPole.ObservationSize, ActionSpec.Discrete(CartPole.ActionCount), initialCapacity: 4096);
        var env = new CartPole(seed);
        float[] observation = new float[CartPole.ObservationSize], action = new float[1];
        for (int e = 0; e < episodes; e++)
        {
            env.Reset();
            bool terminated = false, truncated = false;
            while (!terminated && !truncated)
            {
                env.Observe(observation);
                action[0] = Expert(observation);
                float reward = env.Step((int)action[0], out terminated, out truncated);
                recorder.Record(observation, action, reward, terminated ? EpisodeEnd.Terminated : truncated ? EpisodeEnd.Truncated : EpisodeEnd.None);
            }
        }
        return recorder.ToDemonstration($"cartpole scripted expert, seed {seed}");
    }

    public static int Run(Options options)
    {
        ulong seed = options.Seed;
        if (options.Evaluate)
        {
            var evaluation = new CartPolePpoSettings { Seed = seed };
            using Brain saved = BrainFiles.LoadOrCreate(options.LoadPath, () => CartPolePpo.CreateActor(evaluation), CartPole.ObservationSize, CartPole.ActionCount);
            float average = CartPoleRun.Evaluate(saved, options.Episodes, seed * 1_000_003);
            Console.WriteLine($"imitate: evaluation of {options.LoadPath}: average return {average:F1} over {options.Episodes} episodes");
            return 0;
        }
        Demonstration recorded = Record(seed, ExpertEpisodes);
        Directory.CreateDirectory(options.OutputDirectory);
        string path = Path.GetFullPath(Path.Combine(options.OutputDirectory, $"cartpole-expert-seed{seed}.cdemo"));
        recorded.Save(path);
        Demonstration demonstration = Demonstration.Load(path);
        double expert = demonstration.MeanEpisodeReturn();
        Console.WriteLine($"imitate: recorded {demonstration.Episodes} expert episodes ({demonstration.Steps} steps, mean return {expert:F1}) to {path}");

        var settings = new CartPolePpoSettings { Seed = seed, Threads = options.Threads, EvaluationEpisodes = options.Episodes };
        using Brain actor = BrainFiles.LoadOrCreate(options.LoadPath, () => CartPolePpo.CreateActor(settings), CartPole.ObservationSize, CartPole.ActionCount);
        var bc = new BehaviourCloning(actor, demonstration, new BehaviourCloningOptions { BatchSize = 256 }, seed * 13 + 5);
        // Train on a worker thread in chunks; between chunks (not counted as training time) the clone is evaluated.
        var training = new Stopwatch();
        float clone = 0;
        int evaluationSeedShift = 0;
        while (training.Elapsed.TotalSeconds < TrainingBudgetSeconds)
        {
            training.Start();
            Task.Run(() => bc.Train(200)).Wait();
            training.Stop();
            clone = CartPoleRun.Evaluate(actor, 20, seed * 1_000_003 + (ulong)evaluationSeedShift++);
            Console.WriteLine($"imitate: {bc.Steps,5} BC steps ({training.Elapsed.TotalSeconds:F2} s of training)  loss {bc.LastLoss:F4}  clone return over 20 episodes {clone:F1}");
            if (clone >= 0.9 * expert) break;
        }
        clone = CartPoleRun.Evaluate(actor, options.Episodes, seed * 7_000_003);
        double seconds = training.Elapsed.TotalSeconds;
        if (options.SavePath is not null) Console.WriteLine($"saved: {BrainFiles.Save(actor, options.SavePath, $"cartpole behaviour clone seed {seed}")}");

        // PPO fine-tuning from the clone versus PPO from scratch (same settings and seed).
        using Brain fromScratch = CartPolePpo.CreateActor(settings);
        using Brain critic1 = CartPolePpo.CreateCritic(settings);
        using Brain critic2 = CartPolePpo.CreateCritic(settings);
        using Brain tuned = actor.Clone();
        CartPoleResult fine = CartPolePpo.Train(settings, tuned, critic1);
        CartPoleResult scratch = CartPolePpo.Train(settings, fromScratch, critic2);
        Console.WriteLine($"imitate: PPO from the clone: {Verdict(fine)}; PPO from scratch: {Verdict(scratch)}");
        double percent = 100 * clone / expert;
        Console.WriteLine($"imitate: BC reached {percent:F1} % of the expert's return (expert {expert:F1}, clone {clone:F1}) in {seconds:F2} s of training");
        return percent >= 90 ? 0 : 1;
    }

    private static string Verdict(CartPoleResult r) =>
        r.Solved ? $"solved at step {r.SolvedAtStep} (avg100 = {r.EvaluationAverage:F1})" : $"not solved after {r.EnvironmentSteps} steps (avg100 = {r.EvaluationAverage:F1})";
}
