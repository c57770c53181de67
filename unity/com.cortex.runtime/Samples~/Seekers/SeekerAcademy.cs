using System.Collections.Generic;
using Cortex.Learning;
using Cortex.Realtime;
using Cortex.Serialization;
using UnityEngine;

namespace Cortex.Samples.Unity
{
    /// <summary>
    /// One per scene: owns the shared brain and the <see cref="AgentGroup"/>, thinks for every agent with one batched
    /// call per FixedUpdate, learns within a per-step budget, and saves the brain when the scene ends.
    /// Agents may join before this component's Awake (Unity does not order Awake and OnEnable across objects):
    /// they wait in a list until the group exists.
    /// </summary>
    public sealed class SeekerAcademy : MonoBehaviour
    {
        private static readonly List<Agent> Waiting = new List<Agent>();
        private static AgentGroup? _group;
        private Brain? _brain;

        /// <summary>Adds an agent to the group, or keeps it until the group exists.</summary>
        public static void Join(Agent agent)
        {
            if (_group is null) Waiting.Add(agent);
            else _group.Add(agent);
        }

        /// <summary>Removes an agent from the group (or from the waiting list).</summary>
        public static void Leave(Agent agent)
        {
            if (_group is null) Waiting.Remove(agent);
            else _group.Remove(agent);
        }

        private void Awake()
        {
            string path = Application.persistentDataPath + "/seeker.cbrain";
            _brain = System.IO.File.Exists(path)
                ? BrainFile.Load(path)
                : Brain.Create(2).Dense(64, Activation.Relu).Dense(5, Activation.Linear).Optimizer(Optimizer.Adam(1e-3f)).Build(seed: 1);
            _group = AgentGroup.WithDqn(_brain, new DqnOptions(), TrainingBudget.UpdatesWithin(4, 500), seed: 1);
            foreach (Agent agent in Waiting) _group.Add(agent);
            Waiting.Clear();
        }

        private void FixedUpdate() => _group?.Step();

        private void OnDestroy()
        {
            AgentGroup? group = _group;
            _group = null;
            if (group is not null)
            {
                foreach (Agent agent in new List<Agent>(group.Agents)) Waiting.Add(agent);   // still enabled: they rejoin a new academy
                group.Dispose();
            }
            if (_brain is not null)
            {
                _brain.Save(Application.persistentDataPath + "/seeker.cbrain");
                _brain.Dispose();
            }
        }
    }
}
