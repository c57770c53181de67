using System;
using System.IO;
using Cortex;
using Cortex.Serialization;

namespace Cortex.Consumers
{
    /// <summary>
    /// What every consumer does with the package: train a small brain on XOR from a fixed seed, save it, load it
    /// back, predict, and print the outputs' bits — the same line from the JIT and the NativeAOT build.
    /// </summary>
    public static class RoundTrip
    {
        public static string Run(string directory)
        {
            float[] inputs = { 0, 0, 0, 1, 1, 0, 1, 1 };
            float[] targets = { 0, 1, 1, 0 };
            using Brain brain = Brain.Create(inputs: 2)
                .Dense(8, Activation.Tanh)
                .Dense(1, Activation.Sigmoid)
                .Loss(Loss.BinaryCrossEntropy)
                .Optimizer(Optimizer.Adam(learningRate: 0.05f))
                .MaxBatch(4)
                .Build(seed: 7);
            float loss = 0;
            for (int step = 0; step < 400; step++)
            {
                if (!brain.TryTrain(inputs, targets, batch: 4, out loss)) throw new InvalidOperationException($"step {step} was rejected");
            }

            string path = Path.Combine(directory, "xor.cbrain");
            brain.Save(path);
            using Brain loaded = BrainFile.Load(path);
            var before = new float[4];
            var after = new float[4];
            brain.Predict(inputs, before, batch: 4);
            loaded.Predict(inputs, after, batch: 4);
            for (int i = 0; i < 4; i++)
            {
                if (BitConverter.SingleToInt32Bits(before[i]) != BitConverter.SingleToInt32Bits(after[i]))
                {
                    throw new InvalidOperationException($"the loaded brain predicts {after[i]} for row {i}, the saved one {before[i]}");
                }
                if ((after[i] > 0.5f) != (targets[i] > 0.5f)) throw new InvalidOperationException($"XOR row {i} is wrong: {after[i]}");
            }
            string bits = string.Join(" ", Array.ConvertAll(after, v => BitConverter.SingleToInt32Bits(v).ToString("x8")));
            return $"xor: loss {BitConverter.SingleToInt32Bits(loss):x8} outputs {bits}";
        }
    }
}
