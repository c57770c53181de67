using System;
using System.Diagnostics;

namespace Cortex.Samples.Agents;

/// <summary>Entry point: picks a scenario from the command line.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string scenario = args.Length > 0 ? args[0] : "moons";
        switch (scenario)
        {
            case "moons":
                return MoonsDemo.Run(Console.Out);
            case "cartpole":
            {
                var settings = new CartPoleSettings();
                if (args.Length > 1) settings.Seed = ulong.Parse(args[1]);
                if (args.Length > 2) settings.Threads = int.Parse(args[2]);
                if (args.Length > 3) settings.Hidden = Array.ConvertAll(args[3].Split('x'), int.Parse);
                using Brain brain = CartPoleRun.CreateBrain(settings);
                CartPoleResult result = CartPoleRun.Train(settings, brain, p => Console.WriteLine(
                    $"step {p.Step,6}  episode {p.Episode,4}  train avg100 {p.TrainingAverage100,6:F1}  eval avg {p.EvaluationAverage,6:F1}  loss {p.Loss:F4}  eps {p.Epsilon:F3}  {p.StepsPerSecond:F0} steps/s"));
                Console.WriteLine(result.Solved
                    ? $"cartpole: solved at step {result.SolvedAtStep} (avg100 = {result.EvaluationAverage:F1}) in {result.Seconds:F1} s"
                    : $"cartpole: not solved in {result.EnvironmentSteps} steps (best avg100 = {result.BestEvaluationAverage:F1}) in {result.Seconds:F1} s");
                Console.WriteLine(Plots.CartPoleCurve(result, "out", settings.Seed));
                return result.Solved ? 0 : 1;
            }
            case "seekers":
            {
                var settings = new SeekersSettings();
                if (args.Length > 1) settings.Seed = ulong.Parse(args[1]);
                if (args.Length > 2) settings.Ticks = int.Parse(args[2]);
                if (args.Length > 3) settings.Targets = int.Parse(args[3]);
                if (args.Length > 4) settings.GradientStepsPerTick = int.Parse(args[4]);
                using Brain brain = SeekersRun.CreateBrain(settings);
                SeekersResult result = SeekersRun.Train(settings, brain, progress: p => Console.WriteLine(
                    $"tick {p.Tick,6}  reward/agent-tick {p.RewardPerAgentTick,7:F4}  reached/agent/1000 ticks {p.ReachedPerAgentPer1000Ticks,6:F2}  collisions/agent-tick {p.CollisionsPerAgentTick:F4}  loss {p.Loss:F4}"));
                Console.WriteLine($"seekers: {result.Ticks} ticks in {result.Seconds:F1} s");
                Console.WriteLine(Plots.SeekersCurve(result, "out", settings.Seed));
                Console.WriteLine(Plots.SeekersArena(result.Arena, "out", settings.Seed));
                return 0;
            }
            case "-h":
            case "--help":
                PrintUsage();
                return 0;
            default:
                Console.Error.WriteLine($"Unknown scenario '{scenario}'.");
                PrintUsage();
                return 2;
        }
    }

    private static void PrintUsage()
    {
        Console.Error.WriteLine("usage: dotnet run -c Release --project Samples.Agents [moons]");
    }
}

/// <summary>A small brain learns the two-moons classification, printing progress.</summary>
public static class MoonsDemo
{
    public static int Run(System.IO.TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        (float[] trainX, float[] trainY) = TwoMoons(2000, seed: 1);
        (float[] testX, float[] testY) = TwoMoons(500, seed: 2);
        using Brain brain = Brain.Create(2).Dense(32, Activation.Tanh).Dense(32, Activation.Tanh).Dense(2, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(64).Build(seed: 42);
        output.WriteLine($"moons: {brain.Spec}, {brain.ParameterCount} parameters");
        for (int epoch = 1; epoch <= 30; epoch++)
        {
            double sum = 0;
            int batches = 0;
            for (int start = 0; start + 64 <= 2000; start += 64, batches++)
            {
                sum += brain.Train(trainX.AsSpan(start * 2, 128), trainY.AsSpan(start * 2, 128), 64);
            }
            if (epoch % 5 == 0 || epoch == 1)
            {
                Evaluation test = brain.Evaluate(testX, testY, 500);
                output.WriteLine($"epoch {epoch,3}  train loss {sum / batches:F4}  test loss {test.Loss:F4}  test accuracy {test.Accuracy:P1}");
            }
        }
        Evaluation final = brain.Evaluate(testX, testY, 500);
        output.WriteLine($"moons: final test loss {final.Loss:F4}, accuracy {final.Accuracy:P1} in {clock.Elapsed.TotalSeconds:F1} s");
        return final.Accuracy >= 0.95f ? 0 : 1;
    }

    public static (float[] X, float[] Y) TwoMoons(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count * 2], y = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            float t = random.NextFloat(0f, MathF.PI);
            x[2 * i] = (label == 0 ? MathF.Cos(t) : 1f - MathF.Cos(t)) + 0.1f * random.NextGaussian();
            x[2 * i + 1] = (label == 0 ? MathF.Sin(t) : 0.5f - MathF.Sin(t)) + 0.1f * random.NextGaussian();
            y[2 * i + label] = 1f;
        }
        return (x, y);
    }
}
